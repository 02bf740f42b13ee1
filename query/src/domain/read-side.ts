import { NotFoundError } from '@postline/common';
import type { PageRequest, ReadModelQueries } from '../data-access/read-model-queries';
import { PostViews, type PostDetail, type PostPage, type Viewer } from './post-views';
import type { ProfileView } from '@postline/common';

export type { ProfileView };

export const maxTagsListed = 100;

/** The use cases behind the query routes. */
export class ReadSide {
  private readonly views: PostViews;

  constructor(private readonly queries: ReadModelQueries) {
    this.views = new PostViews(queries);
  }

  /** Newest posts, optionally with a tag and/or by an author (username). */
  async posts(filter: { tag?: string; author?: string }, paging: PageRequest, viewer: Viewer): Promise<PostPage> {
    const query: Record<string, unknown> = {};
    if (filter.tag) query.tags = filter.tag;
    if (filter.author) {
      // Usernames may change: filter by the author's id when the user is known.
      const author = await this.queries.userByUsername(filter.author);
      if (author) query.authorId = author._id;
      else query.authorUsername = filter.author;
    }
    return this.views.page(await this.queries.postPage(query, paging), paging.page, paging.limit, viewer);
  }

  async post(idOrSlug: string, viewer: Viewer): Promise<PostDetail> {
    const post = await this.queries.postByIdOrSlug(idOrSlug);
    if (!post) throw new NotFoundError('Post not found');
    return this.views.detail(post, viewer);
  }

  /** Posts of the authors the viewer follows. */
  async feed(viewer: NonNullable<Viewer>, paging: PageRequest): Promise<PostPage> {
    const following = [...(await this.views.followingOf(viewer))];
    const result =
      following.length === 0
        ? { posts: [], total: 0 }
        : await this.queries.postPage({ authorId: { $in: following } }, paging);
    return this.views.page(result, paging.page, paging.limit, viewer);
  }

  async tags(): Promise<{ tag: string; count: number }[]> {
    return (await this.queries.tagCounts(maxTagsListed)).map((t) => ({ tag: t._id, count: t.count }));
  }

  async authorPosts(username: string, paging: PageRequest, viewer: Viewer): Promise<{ user: ProfileView } & PostPage> {
    const user = await this.queries.userByUsername(username);
    if (!user) throw new NotFoundError('User not found');
    const [followerCount, viewerFollowing, page] = await Promise.all([
      this.queries.followerCount(user._id),
      this.views.followingOf(viewer),
      this.queries
        .postPage({ authorId: user._id }, paging)
        .then((r) => this.views.page(r, paging.page, paging.limit, viewer)),
    ]);
    return {
      user: {
        id: user._id,
        username: user.username,
        bio: user.bio,
        image: user.image,
        followerCount,
        followingCount: user.following.length,
        followedByMe: viewerFollowing.has(user._id),
      },
      ...page,
    };
  }
}
