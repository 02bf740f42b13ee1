import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields } from '@postline/common';

/** One version of a comment waiting for a moderator. */
export interface ReviewItem {
  commentVersion: number;
  body: string;
  /** Why it needs a human: the review rules it matched. */
  flags: string[];
}

/** A decision taken about one version of the comment: by the rules, or by a moderator. */
export interface Decision {
  commentVersion: number;
  status: 'approved' | 'rejected';
  reason: string;
  /** `rules`, or the moderator's user id. */
  decidedBy: string;
  decidedAt: Date;
}

/**
 * The decision that stands about the comment's current text (the latest one: an overturn
 * replaces it), with that text, so moderators can list and overturn decisions.
 */
export interface StandingDecision {
  commentVersion: number;
  body: string;
  status: 'approved' | 'rejected';
  reason: string;
  decidedBy: 'rules' | 'moderator';
  decidedAt: Date;
}

/**
 * Moderation's record of one comment (its `_id` is the comment's id): the
 * comment version last seen, what awaits review, the decisions taken. It is an
 * aggregate of its own: `version` counts its `comment.moderated` events, so it
 * is -1 until the first decision.
 */
export interface ModerationRecord extends OutboxFields {
  _id: string;
  postId: string;
  authorId: string;
  authorUsername: string;
  /** The comment's version this record has applied (the replica's order check). */
  commentVersion: number;
  deleted: boolean;
  awaitingReview: boolean;
  review: ReviewItem | null;
  /** When the version under review entered the queue; the queue is oldest first. */
  queuedAt: Date | null;
  decisions: Decision[];
  /** The decision about the current text (null while it awaits review, once deleted, or on records from before it). */
  standing: StandingDecision | null;
  /** Rises with every write, event or not: the guard against concurrent writers. */
  revision: number;
  createdAt: Date;
}

const reviewSchema = new Schema<ReviewItem>(
  {
    commentVersion: { type: Number, required: true },
    body: { type: String, required: true },
    flags: { type: [String], default: [] },
  },
  { _id: false },
);

const decisionSchema = new Schema<Decision>(
  {
    commentVersion: { type: Number, required: true },
    status: { type: String, enum: ['approved', 'rejected'], required: true },
    reason: { type: String, default: '' },
    decidedBy: { type: String, required: true },
    decidedAt: { type: Date, required: true },
  },
  { _id: false },
);

const standingSchema = new Schema<StandingDecision>(
  {
    commentVersion: { type: Number, required: true },
    body: { type: String, default: '' },
    status: { type: String, enum: ['approved', 'rejected'], required: true },
    reason: { type: String, default: '' },
    decidedBy: { type: String, enum: ['rules', 'moderator'], required: true },
    decidedAt: { type: Date, required: true },
  },
  { _id: false },
);

const moderationRecordSchema = new Schema<ModerationRecord>(
  {
    _id: { type: String, required: true },
    postId: { type: String, required: true },
    authorId: { type: String, required: true },
    authorUsername: { type: String, required: true },
    commentVersion: { type: Number, required: true },
    deleted: { type: Boolean, default: false },
    awaitingReview: { type: Boolean, default: false, index: true },
    review: { type: reviewSchema, default: null },
    queuedAt: { type: Date, default: null },
    decisions: { type: [decisionSchema], default: [] },
    standing: { type: standingSchema, default: null },
    revision: { type: Number, required: true, default: 0 },
    createdAt: { type: Date, required: true },
    ...outboxSchemaFields,
  },
  { versionKey: false, collection: 'moderationrecords' },
);
// The recent decisions list: newest first.
moderationRecordSchema.index({ 'standing.decidedAt': -1 });

export function moderationRecordModel(db: Connection): Model<ModerationRecord> {
  return db.models.ModerationRecord ?? db.model<ModerationRecord>('ModerationRecord', moderationRecordSchema);
}
