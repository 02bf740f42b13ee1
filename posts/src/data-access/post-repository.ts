import type { Connection, Model } from 'mongoose';
import { OutboxWriter, type OutboxFields, type OutboxRelay, type SubjectEvent } from '@postline/common';
import type { PostChange } from '../domain/post-changes';
import { postModel, type PostRecord } from './post-model';

/**
 * Stores and loads posts (plain objects). Every change is written together
 * with the event announcing it (OutboxWriter), guarded by the version; what
 * changes is decided by the domain (`domain/post-changes.ts`).
 */
export class PostRepository {
  readonly model: Model<PostRecord>;
  private readonly writer: OutboxWriter<PostRecord>;

  constructor(db: Connection, relay: OutboxRelay) {
    this.model = postModel(db);
    this.writer = new OutboxWriter(this.model, 'posts', relay);
  }

  async slugTaken(slug: string): Promise<boolean> {
    return (await this.model.exists({ slug })) !== null;
  }

  /**
   * Inserts a new post with the event announcing it.
   * @returns null if its slug (unique index) was taken meanwhile
   */
  insert(post: Omit<PostRecord, keyof OutboxFields>, event: SubjectEvent<'post.created'>): Promise<PostRecord | null> {
    return this.writer.insert(post, event);
  }

  /** Read through the schema, so a post stored before a field existed gets its default. */
  async findById(id: string): Promise<PostRecord | null> {
    return (await this.model.findById(id))?.toObject() ?? null;
  }

  /** Ids of drafts scheduled at or before `now`, earliest first (an index range on `publishAt`). */
  async dueIds(now: Date, limit: number): Promise<string[]> {
    const due = await this.model
      .find({ publishAt: { $lte: now }, status: 'draft', deletedAt: null }, { _id: 1 })
      .sort({ publishAt: 1 })
      .limit(limit)
      .lean();
    return due.map((post) => post._id);
  }

  /**
   * A version-guarded change: `plan` sees the post as it is at the moment of
   * writing (re-read and re-planned if someone wrote in between).
   * @returns the post after it (`doc`) and whether this call wrote it, or null if there is no such post
   */
  change(
    id: string,
    plan: (post: PostRecord) => PostChange | undefined,
  ): Promise<{ doc: PostRecord; changed: boolean } | null> {
    return this.writer.changePlain(id, plan);
  }
}
