import type { Connection, Model } from 'mongoose';
import { OutboxWriter, type OutboxFields, type OutboxRelay, type SubjectEvent } from '@postline/common';
import type { CommentChange } from '../domain/comment-changes';
import { commentModel, type CommentRecord } from './comment-model';

/**
 * Stores and loads comments (plain objects). Every change is written together
 * with the event announcing it (OutboxWriter), guarded by the version; what
 * changes is decided by the domain (`domain/comment-changes.ts`,
 * `domain/moderation-decision.ts`).
 */
export class CommentRepository {
  readonly model: Model<CommentRecord>;
  private readonly writer: OutboxWriter<CommentRecord>;

  constructor(db: Connection, relay: OutboxRelay) {
    this.model = commentModel(db);
    this.writer = new OutboxWriter(this.model, 'comments', relay);
  }

  async insert(
    comment: Omit<CommentRecord, keyof OutboxFields>,
    event: SubjectEvent<'comment.created'>,
  ): Promise<CommentRecord> {
    const stored = await this.writer.insert(comment, event);
    // Only a second comment with the same new random id could be refused.
    if (!stored) throw new Error(`comment ${comment._id} exists already`);
    return stored;
  }

  /** A comment that exists and is not deleted. */
  async findLive(id: string): Promise<CommentRecord | null> {
    return (await this.model.findOne({ _id: id, deleted: false }))?.toObject() ?? null;
  }

  /**
   * A version-guarded change: `plan` sees the comment as it is at the moment of
   * writing (re-read and re-planned if someone wrote in between).
   * @returns the comment after it (`doc`) and whether this call wrote it, or null if there is no such comment
   */
  change(
    id: string,
    plan: (comment: CommentRecord) => CommentChange | undefined,
  ): Promise<{ doc: CommentRecord; changed: boolean } | null> {
    return this.writer.changePlain(id, plan);
  }

  /** Ids of a post's comments that are not deleted yet. */
  async liveIdsOfPost(postId: string): Promise<string[]> {
    const docs = await this.model.find({ postId, deleted: false }, { _id: 1 }).lean();
    return docs.map((doc) => doc._id);
  }
}
