import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields } from '@postline/common';

export interface PostRecord extends OutboxFields {
  _id: string;
  /** Derived from the first title; unique, also among deleted posts, and kept across edits. */
  slug: string;
  title: string;
  /** Markdown, stored as written. */
  body: string;
  tags: string[];
  authorId: string;
  /** The author's username as last known (replica of auth, or the JWT at creation). */
  authorUsername: string;
  /**
   * Ids of the users who like the post. Kept in the post so a like and its
   * event are one atomic write and liking twice is visibly a no-op; the
   * document limit (16 MB) allows several hundred thousand likes.
   */
  likedBy: string[];
  likeCount: number;
  createdAt: Date;
  /** When the title, body or tags last changed (likes do not count). */
  updatedAt: Date;
  /**
   * Set when the post is deleted. The document stays as a tombstone: its
   * outbox still holds `post.deleted` until the relay publishes it, its
   * version keeps counting, and its slug stays reserved so an old link never
   * leads to someone else's post. The content is erased at deletion.
   */
  deletedAt: Date | null;
  /**
   * A draft is seen by its author only and announced with `status: 'draft'`.
   * Posts stored before drafts existed have no status: mongoose's default
   * makes them published, at their `createdAt` (see publishedAtOf).
   */
  status: 'draft' | 'published';
  /** When the post was (last) published; null while a draft. */
  publishedAt: Date | null;
  /** When a scheduled draft is due to be published (by whichever replica's due-time check gets there first); else null. */
  publishAt: Date | null;
}

const postSchema = new Schema<PostRecord>(
  {
    _id: { type: String, required: true },
    slug: { type: String, required: true, unique: true },
    title: { type: String, default: '' },
    body: { type: String, default: '' },
    tags: { type: [String], default: [] },
    authorId: { type: String, required: true, index: true },
    authorUsername: { type: String, required: true },
    likedBy: { type: [String], default: [] },
    likeCount: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    deletedAt: { type: Date, default: null },
    status: { type: String, enum: ['draft', 'published'], default: 'published' },
    publishedAt: { type: Date, default: null },
    publishAt: { type: Date, default: null },
    ...outboxSchemaFields,
  },
  { versionKey: false },
);

// The due-time check's query: scheduled drafts, earliest first.
postSchema.index({ publishAt: 1 });

export function postModel(db: Connection): Model<PostRecord> {
  return db.models.Post ?? db.model<PostRecord>('Post', postSchema);
}
