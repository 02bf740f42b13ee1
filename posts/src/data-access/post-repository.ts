import { Types, type Connection, type Model } from 'mongoose';
import {
  ConcurrentModificationError,
  ConflictError,
  OutboxWriter,
  isDuplicateKeyError,
  type OutboxRelay,
} from '@postline/common';
import { likeData, postDeletedData, postSnapshotData } from '../events/post-events';
import { postModel, type Post, type PostDocument } from './post-model';

export interface NewPost {
  title: string;
  body: string;
  tags: string[];
  authorId: string;
  authorUsername: string;
  status: Post['status'];
  publishedAt: Date | null;
  publishAt: Date | null;
}

export type PublicationChange = Pick<Post, 'status' | 'publishedAt' | 'publishAt'>;

export type ContentChanges = Partial<Pick<Post, 'title' | 'body' | 'tags'>>;

/**
 * Posts and their likes. Every change is written together with the event
 * announcing it (OutboxWriter); a deleted post is a tombstone that accepts
 * nothing more, so `post.deleted` is always its last event.
 */
export class PostRepository {
  readonly model: Model<Post>;
  private readonly writer: OutboxWriter<Post>;

  constructor(db: Connection, relay: OutboxRelay) {
    this.model = postModel(db);
    this.writer = new OutboxWriter(this.model, 'posts', relay);
  }

  /**
   * Creates the post under the first free slug of `slugs` (tried in order);
   * the unique index decides races between posts with the same title.
   */
  async create(post: NewPost, slugs: Iterable<string>, now = new Date()): Promise<PostDocument> {
    for (const slug of slugs) {
      if (await this.model.exists({ slug })) continue;
      try {
        return await this.writer.create(
          {
            _id: new Types.ObjectId().toHexString(),
            ...post,
            slug,
            likedBy: [],
            likeCount: 0,
            createdAt: now,
            updatedAt: now,
            deletedAt: null,
          },
          { subject: 'post.created', data: postSnapshotData },
        );
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err; // another post took the slug meanwhile
      }
    }
    throw new ConflictError('Could not find a free slug for this title; try again', 'title');
  }

  /** The post, unless it does not exist or was deleted. */
  async findLive(id: string): Promise<PostDocument | null> {
    const post = await this.model.findById(id);
    return post && !post.deletedAt ? post : null;
  }

  /**
   * Applies content changes; nothing is written (and nothing announced) when
   * they change nothing. The author's username is refreshed from the replica.
   * @returns the post after the change, or null if it is gone
   */
  updateContent(id: string, changes: ContentChanges, authorUsername: string): Promise<PostDocument | null> {
    return this.changeLive(id, (post) => {
      const next = {
        title: changes.title ?? post.title,
        body: changes.body ?? post.body,
        tags: changes.tags ?? post.tags,
      };
      const unchanged = next.title === post.title && next.body === post.body && sameList(next.tags, post.tags);
      if (unchanged) return undefined;
      const updatedAt = new Date();
      const snapshot = { ...post.toObject(), ...next, authorUsername, updatedAt };
      return {
        update: { $set: { ...next, authorUsername, updatedAt } },
        event: { subject: 'post.updated', data: postSnapshotData(snapshot) },
      };
    });
  }

  /**
   * Publishes, unpublishes or schedules: `decide` sees the post as it is at
   * the moment of writing (undefined: nothing to do). Announced as
   * `post.updated` with the new publication; `updatedAt` (content last
   * edited) stays.
   * @returns the post after it, whether this call wrote it, or null if it is gone
   */
  async changePublication(
    id: string,
    decide: (post: PostDocument) => PublicationChange | undefined,
  ): Promise<{ post: PostDocument; changed: boolean } | null> {
    let changed = false;
    const post = await this.changeLive(id, (current) => {
      changed = false;
      const next = decide(current);
      if (!next) return undefined;
      changed = true;
      return {
        update: { $set: next },
        event: { subject: 'post.updated', data: postSnapshotData({ ...current.toObject(), ...next }) },
      };
    });
    return post ? { post, changed } : null;
  }

  /** Ids of scheduled drafts whose time has come, earliest first (an index range on `publishAt`). */
  async dueIds(now: Date, limit: number): Promise<string[]> {
    const due = await this.model
      .find({ publishAt: { $lte: now }, status: 'draft', deletedAt: null }, { _id: 1 })
      .sort({ publishAt: 1 })
      .limit(limit)
      .lean();
    return due.map((post) => post._id);
  }

  /** Marks the post deleted and erases its content; its last event. */
  markDeleted(id: string): Promise<PostDocument | null> {
    return this.changeLive(id, (post) => ({
      update: { $set: { deletedAt: new Date(), title: '', body: '', tags: [], likedBy: [], likeCount: 0 } },
      event: { subject: 'post.deleted', data: postDeletedData(post) },
    }));
  }

  /** Liking twice is harmless: no change, no second event. */
  addLike(id: string, userId: string): Promise<PostDocument | null> {
    return this.changeLive(id, (post) => {
      if (post.likedBy.includes(userId)) return undefined;
      const likeCount = post.likedBy.length + 1;
      return {
        update: { $addToSet: { likedBy: userId }, $set: { likeCount } },
        event: { subject: 'post.liked', data: likeData(post._id, userId, likeCount) },
      };
    });
  }

  removeLike(id: string, userId: string): Promise<PostDocument | null> {
    return this.changeLive(id, (post) => {
      if (!post.likedBy.includes(userId)) return undefined;
      const likeCount = post.likedBy.length - 1;
      return {
        update: { $pull: { likedBy: userId }, $set: { likeCount } },
        event: { subject: 'post.unliked', data: likeData(post._id, userId, likeCount) },
      };
    });
  }

  /**
   * A version-guarded change of a live post. The plan sees the post as it is
   * at the moment of writing, so a post deleted meanwhile is never changed.
   */
  private async changeLive(
    id: string,
    plan: Parameters<OutboxWriter<Post>['change']>[1],
  ): Promise<PostDocument | null> {
    try {
      const result = await this.writer.change(id, (post) => {
        if (post.deletedAt) throw new PostGone();
        return plan(post);
      });
      return result?.doc ?? null;
    } catch (err) {
      if (err instanceof PostGone) return null;
      if (err instanceof ConcurrentModificationError)
        throw new ConflictError('The post kept changing while we saved; try again');
      throw err;
    }
  }
}

class PostGone extends Error {}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
