import type { mongo } from 'mongoose';

type Collection<T extends mongo.Document> = mongo.Collection<T>;
type Db = mongo.Db;

/**
 * The denormalised read models, one collection per shape the routes need.
 * Each document keeps the `version` of the aggregate it mirrors (the last
 * event applied), so every listener can be idempotent and order-aware.
 * Deleted posts and comments stay as tombstones (`deleted: true`, content
 * cleared) so that a late duplicate of their creation cannot bring them back.
 */
export interface StoredUser {
  _id: string;
  username: string;
  role: 'user' | 'moderator';
  bio: string;
  image: string;
  /** Ids of the users this user follows (a follow is a change of the follower). */
  following: string[];
  /** How many users follow this one: recounted after every follow or unfollow of it (data-access/maintained-counts.ts). */
  followerCount: number;
  version: number;
}

export interface StoredPost {
  _id: string;
  slug: string;
  title: string;
  body: string;
  /** Plain-text start of the body, computed once at write time for the lists. */
  excerpt: string;
  /** Whole minutes to read the body (domain/reading-time.ts), computed at write time for the lists. */
  readingMinutes: number;
  tags: string[];
  authorId: string;
  /** The author's name when the post was last written; the users view has the current one. */
  authorUsername: string;
  likeCount: number;
  /** Ids of the users who like the post: answers likedByMe. */
  likers: string[];
  /** Approved live comments: the ids (as field keys) that `commentCount` counts, so that counting one twice is impossible. */
  approvedComments: Record<string, 1>;
  commentCount: number;
  createdAt: Date;
  updatedAt: Date;
  /**
   * False for a draft: in no list, no tag count, no feed, no public page;
   * its author reads it through the drafts routes. A post event without a
   * status (published before drafts existed) means published.
   */
  published: boolean;
  /** When it was published (lists are newest-published first); null while a draft. */
  publishedAt: Date | null;
  /** When a scheduled draft will be published by posts; null otherwise. */
  publishAt: Date | null;
  version: number;
  deleted: boolean;
}

export interface StoredComment {
  _id: string;
  postId: string;
  authorId: string;
  authorUsername: string;
  body: string;
  status: 'pending' | 'approved' | 'rejected';
  reason: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /** The comment version whose text this is: decisions about older text are not applied. */
  bodyVersion: number;
  /** Applied version per moderation aggregate (comment.moderated has versions of its own). */
  moderation: Record<string, number>;
  deleted: boolean;
}

/**
 * One bucket of the live posts of a list (all posts, one tag's, one author's):
 * the list's total is the sum of its buckets' counts. The members (post ids as
 * field keys) make every change conditional on the post being counted or not,
 * so a redelivered event cannot count a post twice; buckets keep each document
 * small however long the list grows. Empty buckets are deleted.
 */
export interface ListCount {
  _id: string;
  /** `all`, `tag:<tag>` or `author:<user id>`. */
  list: string;
  kind: 'all' | 'tag' | 'author';
  /** The tag or the author id (empty for `all`). */
  key: string;
  count: number;
  members: Record<string, 1>;
}

export interface ReadModels {
  users: Collection<StoredUser>;
  posts: Collection<StoredPost>;
  comments: Collection<StoredComment>;
  listCounts: Collection<ListCount>;
}

/** The collections a rebuild drops and replays (the replay marker is kept apart). */
export const readModelCollections = ['users', 'posts', 'comments', 'list_counts'] as const;

/**
 * The shape of the read models. A replica that finds read models of another
 * shape (the replay marker says which) drops and replays them at start.
 * 2: maintained comment, follower and list counts.
 * 3: posts keep their reading time (readingMinutes).
 * 4: drafts (published, publishedAt, publishAt); lists newest-published first.
 * Bumped only when what a route reads changes: a field no longer read (`decidedVersion` on
 * comments written before 2026-12-08) is ignored, not worth a full replay (query README).
 */
export const readModelShape = 4;

export function readModels(db: Db): ReadModels {
  return {
    users: db.collection<StoredUser>('users'),
    posts: db.collection<StoredPost>('posts'),
    comments: db.collection<StoredComment>('comments'),
    listCounts: db.collection<ListCount>('list_counts'),
  };
}

/**
 * The indexes the listeners and routes rely on, one per list query (equality
 * fields first, then the sort), so that a page is an index range with a limit;
 * createIndex is a no-op when they exist.
 */
export async function ensureReadModelIndexes(models: ReadModels): Promise<void> {
  await Promise.all([
    models.users.createIndex({ username: 1 }),
    models.users.createIndex({ following: 1 }),
    models.posts.createIndex({ deleted: 1, published: 1, publishedAt: -1, _id: -1 }),
    models.posts.createIndex({ tags: 1, deleted: 1, published: 1, publishedAt: -1, _id: -1 }),
    models.posts.createIndex({ authorId: 1, deleted: 1, published: 1, publishedAt: -1, _id: -1 }),
    models.posts.createIndex({ authorUsername: 1, deleted: 1, published: 1, publishedAt: -1, _id: -1 }),
    // An author's drafts, last edited first.
    models.posts.createIndex({ authorId: 1, published: 1, deleted: 1, updatedAt: -1, _id: -1 }),
    models.posts.createIndex({ slug: 1 }),
    models.comments.createIndex({ postId: 1, deleted: 1, createdAt: 1, _id: 1 }),
    models.listCounts.createIndex({ kind: 1, count: -1 }),
  ]);
}
