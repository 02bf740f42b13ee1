import type { mongo } from 'mongoose';
import type { CommentView, PostView, ReadModels, UserView } from './read-models';

/** What a post list shows: everything but the body and the likers. */
export type PostListItem = Omit<PostView, 'body' | 'likers'>;
const listProjection = { body: 0, likers: 0 } as const;

export interface PageRequest {
  page: number;
  limit: number;
}

/** Reads of the read models for the routes: a fixed number of indexed queries per request, never one per item. */
export class ReadModelQueries {
  constructor(private readonly models: ReadModels) {}

  /** Live posts matching `filter`, newest first, one page of them, and how many match in all. */
  async postPage(
    filter: mongo.Filter<PostView>,
    { page, limit }: PageRequest,
  ): Promise<{ posts: PostListItem[]; total: number }> {
    const query = { ...filter, deleted: false };
    const [posts, total] = await Promise.all([
      this.models.posts
        .find(query, { projection: listProjection })
        .sort({ createdAt: -1, _id: -1 })
        .skip((page - 1) * limit)
        .limit(limit)
        .toArray() as Promise<PostListItem[]>,
      this.models.posts.countDocuments(query),
    ]);
    return { posts, total };
  }

  /** A live post by id, or else by slug. */
  async postByIdOrSlug(idOrSlug: string): Promise<PostView | null> {
    return (
      (await this.models.posts.findOne({ _id: idOrSlug, deleted: false })) ??
      (await this.models.posts.findOne({ slug: idOrSlug, deleted: false }))
    );
  }

  usersByIds(ids: string[]): Promise<Pick<UserView, '_id' | 'username' | 'image'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.models.users.find({ _id: { $in: ids } }, { projection: { username: 1, image: 1 } }).toArray();
  }

  userById(id: string): Promise<UserView | null> {
    return this.models.users.findOne({ _id: id });
  }

  userByUsername(username: string): Promise<UserView | null> {
    return this.models.users.findOne({ username });
  }

  followerCount(userId: string): Promise<number> {
    return this.models.users.countDocuments({ following: userId });
  }

  /** Which of these posts the user likes. */
  async likedAmong(postIds: string[], userId: string): Promise<Set<string>> {
    if (postIds.length === 0) return new Set();
    const liked = await this.models.posts
      .find({ _id: { $in: postIds }, likers: userId }, { projection: { _id: 1 } })
      .toArray();
    return new Set(liked.map((p) => p._id));
  }

  /** Approved comments per post, for a page of posts (comments of deleted posts are gone already). */
  async approvedCommentCounts(postIds: string[]): Promise<Map<string, number>> {
    if (postIds.length === 0) return new Map();
    const counts = await this.models.comments
      .aggregate<{ _id: string; count: number }>([
        { $match: { postId: { $in: postIds }, status: 'approved', deleted: false } },
        { $group: { _id: '$postId', count: { $sum: 1 } } },
      ])
      .toArray();
    return new Map(counts.map((c) => [c._id, c.count]));
  }

  /** The comments of a post matching the visibility filter, oldest first. */
  comments(postId: string, visibility: mongo.Filter<CommentView>): Promise<CommentView[]> {
    return this.models.comments
      .find({ postId, deleted: false, ...visibility })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
  }

  /** Tags of live posts with how many posts carry each, most used first. */
  tagCounts(limit: number): Promise<{ _id: string; count: number }[]> {
    return this.models.posts
      .aggregate<{ _id: string; count: number }>([
        { $match: { deleted: false } },
        { $unwind: '$tags' },
        { $group: { _id: '$tags', count: { $sum: 1 } } },
        { $sort: { count: -1, _id: 1 } },
        { $limit: limit },
      ])
      .toArray();
  }
}
