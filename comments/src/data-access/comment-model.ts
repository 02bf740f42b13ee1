import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type CommentStatus, type OutboxFields } from '@postline/common';

const commentStatuses: readonly CommentStatus[] = ['pending', 'approved', 'rejected'];

export interface CommentRecord extends OutboxFields {
  _id: string;
  postId: string;
  authorId: string;
  authorUsername: string;
  /** Erased when the comment is deleted: the tombstone keeps ids and versions only. */
  body: string;
  status: CommentStatus;
  /** The reason of the moderation decision behind `status`; empty while pending. */
  reason: string;
  createdAt: Date;
  /** When the text last changed (creation or edit); a status change does not touch it. */
  updatedAt: Date;
  /**
   * The version that wrote the current text (creation or edit); decisions about it apply, status
   * changes raise `version` above it. Absent on comments written before it was kept.
   */
  bodyVersion?: number;
  /**
   * The version of moderation's record whose decision `status` comes from (-1: none yet), so an
   * overturn applies once, after what it overturns. Absent on comments written before it was kept.
   */
  moderationVersion?: number;
  /**
   * A deleted comment stays as a tombstone: its `comment.deleted` event waits in
   * the outbox of this very document, and late moderation decisions about it
   * are recognised and ignored instead of being retried into the dead letters.
   */
  deleted: boolean;
  deletedAt: Date | null;
}

const commentSchema = new Schema<CommentRecord>(
  {
    _id: { type: String, required: true },
    postId: { type: String, required: true, index: true },
    authorId: { type: String, required: true },
    authorUsername: { type: String, required: true },
    body: { type: String, default: '' },
    status: { type: String, enum: commentStatuses, required: true },
    reason: { type: String, default: '' },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    bodyVersion: { type: Number },
    moderationVersion: { type: Number },
    deleted: { type: Boolean, default: false },
    deletedAt: { type: Date, default: null },
    ...outboxSchemaFields,
  },
  { versionKey: false },
);

export function commentModel(db: Connection): Model<CommentRecord> {
  return db.models.Comment ?? db.model<CommentRecord>('Comment', commentSchema);
}
