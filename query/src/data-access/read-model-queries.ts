import type { mongo } from 'mongoose';
import type { StoredComment, StoredPost, ReadModels, StoredUser } from './read-models';
import { ListCounts } from './list-counts';

/** What a post list shows of a post: everything but the body and the approved comments' ids (their count is there). */
export type ListItem = Omit<StoredPost, 'body' | 'approvedComments' | 'version' | 'deleted'>;

/** Which live published posts a list holds: those with a tag, by an author (by id, one of several, or by name when not known as a user). */
export interface PostFilter {
  tag?: string;
  authorId?: string | string[];
  authorUsername?: string;
}

function mongoFilter({ tag, authorId, authorUsername }: PostFilter): mongo.Filter<StoredPost> {
  return {
    ...(tag !== undefined ? { tags: tag } : {}),
    ...(typeof authorId === 'string' ? { authorId } : authorId ? { authorId: { $in: authorId } } : {}),
    ...(authorUsername !== undefined ? { authorUsername } : {}),
    deleted: false,
    published: true,
  };
}

const listProjection = { body: 0, approvedComments: 0 } as const;
const newestFirst = { publishedAt: -1, _id: -1 } as const;
const lastEditedFirst = { updatedAt: -1, _id: -1 } as const;
const authorsDrafts = (authorId: string) => ({ authorId, published: false, deleted: false });

export interface PageRequest {
  page: number;
  limit: number;
}

/**
 * Reads of the read models for the routes: each an indexed range with a
 * limit or a lookup by id, never a scan or a count of a whole collection
 * (totals are maintained, see list-counts.ts); a fixed number per answer,
 * never one per item.
 */
export class ReadModelQueries {
  private readonly lists: ListCounts;

  constructor(private readonly models: ReadModels) {
    this.lists = new ListCounts(models.listCounts);
  }

  /** One page of the live posts matching `filter`, newest first. */
  postPage(filter: PostFilter, { page, limit }: PageRequest): Promise<ListItem[]> {
    return this.models.posts
      .find(mongoFilter(filter), { projection: listProjection })
      .sort(newestFirst)
      .skip((page - 1) * limit)
      .limit(limit)
      .toArray() as Promise<ListItem[]>;
  }

  /** How many live posts are in these lists (maintained totals). */
  listTotal(...lists: string[]): Promise<number> {
    return this.lists.totalOf(lists);
  }

  /** How many live posts match a filter no maintained total covers (a tag and an author at once; an unknown author). */
  countPosts(filter: PostFilter): Promise<number> {
    return this.models.posts.countDocuments(mongoFilter(filter));
  }

  /** A live published post by id, or else by slug. */
  async postByIdOrSlug(idOrSlug: string): Promise<StoredPost | null> {
    const options = { projection: { approvedComments: 0 } };
    return (
      (await this.models.posts.findOne({ _id: idOrSlug, deleted: false, published: true }, options)) ??
      (await this.models.posts.findOne({ slug: idOrSlug, deleted: false, published: true }, options))
    );
  }

  /** One page of an author's drafts, last edited first (an index range; personal, never cached). */
  draftPage(authorId: string, { page, limit }: PageRequest): Promise<ListItem[]> {
    return this.models.posts
      .find(authorsDrafts(authorId), { projection: listProjection })
      .sort(lastEditedFirst)
      .skip((page - 1) * limit)
      .limit(limit)
      .toArray() as Promise<ListItem[]>;
  }

  /** How many drafts an author has: counted on their index range (an author's drafts are few). */
  countDrafts(authorId: string): Promise<number> {
    return this.models.posts.countDocuments(authorsDrafts(authorId));
  }

  /** An author's own live post by id or slug, draft or published (their preview); null for anyone else's. */
  async ownPost(authorId: string, idOrSlug: string): Promise<StoredPost | null> {
    const options = { projection: { approvedComments: 0 } };
    const post =
      (await this.models.posts.findOne({ _id: idOrSlug, deleted: false }, options)) ??
      (await this.models.posts.findOne({ slug: idOrSlug, deleted: false }, options));
    return post?.authorId === authorId ? post : null;
  }

  usersByIds(ids: string[]): Promise<Pick<StoredUser, '_id' | 'username' | 'image'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.models.users.find({ _id: { $in: ids } }, { projection: { username: 1, image: 1 } }).toArray();
  }

  userByUsername(username: string): Promise<StoredUser | null> {
    return this.models.users.findOne({ username });
  }

  /** Ids of the users this user follows (empty for a user not known yet). */
  async followingOf(userId: string): Promise<string[]> {
    return (await this.models.users.findOne({ _id: userId }, { projection: { following: 1 } }))?.following ?? [];
  }

  /** Every live comment of a post, oldest first (who may see which is decided per reader). */
  comments(postId: string): Promise<StoredComment[]> {
    return this.models.comments.find({ postId, deleted: false }).sort({ createdAt: 1, _id: 1 }).toArray();
  }

  /** Tags of live posts with how many posts carry each, most used first. */
  topTags(limit: number): Promise<{ tag: string; count: number }[]> {
    return this.lists.topTags(limit);
  }
}
