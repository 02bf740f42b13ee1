import type { CurrentUser } from '@postline/common';
import type { AnswerCache, Cacheable } from '../data-access/answer-cache';
import type { ListItem, PageRequest, PostFilter, ReadModelQueries } from '../data-access/read-model-queries';
import type { Answer, Viewer } from './answer-template';
import {
  draftListAnswer,
  ownPostAnswer,
  postAnswer,
  postListAnswer,
  tagsAnswer,
  userPageAnswer,
  type Author,
} from './answers';
import { changeLabel } from './change-labels';
import { allPosts, authorList, tagList } from './post-lists';

export const maxTagsListed = 100;

/** Whom a signed-in reader follows, cached per reader. */
export interface FollowingEntry extends Cacheable {
  following: ReadonlySet<string>;
}

export interface ReadCaches {
  answers: AnswerCache<Answer>;
  viewers: AnswerCache<FollowingEntry>;
}

/**
 * The use cases behind the query routes. The public answers (lists, post
 * pages, tags, user pages) come from the answer cache, built on a miss from a
 * fixed number of indexed reads; what is personal is overlaid per reader from
 * the reader's own small entry (whom they follow) and their token (who they
 * are, whether a moderator). The feed is personal throughout: built per request.
 */
export class ReadSide {
  constructor(
    private readonly queries: ReadModelQueries,
    private readonly caches: ReadCaches,
  ) {}

  /** Newest posts, optionally with a tag and/or by an author (username). */
  postList(filter: { tag?: string; author?: string }, paging: PageRequest): Promise<Answer> {
    const key = `posts\n${filter.tag ?? ''}\n${filter.author ?? ''}\n${paging.page}\n${paging.limit}`;
    return this.caches.answers.getOrFill(key, () => this.buildPostList(filter, paging)) as Promise<Answer>;
  }

  /** A post page by id or slug; undefined when there is no such live post. */
  post(idOrSlug: string): Promise<Answer | undefined> {
    return this.caches.answers.getOrFill(`post\n${idOrSlug}`, async () => {
      const post = await this.queries.postByIdOrSlug(idOrSlug);
      if (!post) return undefined;
      const [authors, comments] = await Promise.all([
        this.queries.usersByIds([post.authorId]),
        this.queries.comments(post._id),
      ]);
      return postAnswer(post, authors[0], comments);
    });
  }

  tags(): Promise<Answer> {
    return this.caches.answers.getOrFill('tags', async () =>
      tagsAnswer(await this.queries.topTags(maxTagsListed)),
    ) as Promise<Answer>;
  }

  /** A user's profile and posts; undefined for an unknown user. */
  userPage(username: string, paging: PageRequest): Promise<Answer | undefined> {
    const key = `user\n${username}\n${paging.page}\n${paging.limit}`;
    return this.caches.answers.getOrFill(key, async () => {
      const user = await this.queries.userByUsername(username);
      if (!user) return undefined;
      const list = authorList(user._id);
      const [posts, total] = await Promise.all([
        this.queries.postPage({ authorId: user._id }, paging),
        this.queries.listTotal(list),
      ]);
      return userPageAnswer(user, { posts, authors: await this.authorsOf(posts), paging, total }, [
        changeLabel.list(list),
      ]);
    });
  }

  /** Posts of the authors the viewer follows: personal, so built for each request. */
  async feed(viewer: Viewer, paging: PageRequest): Promise<Answer> {
    const following = [...viewer.following];
    if (following.length === 0) return postListAnswer({ posts: [], authors: new Map(), paging, total: 0 }, []);
    const [posts, total] = await Promise.all([
      this.queries.postPage({ authorId: following }, paging),
      this.queries.listTotal(...following.map(authorList)),
    ]);
    return postListAnswer({ posts, authors: await this.authorsOf(posts), paging, total }, []);
  }

  /** The viewer's drafts, last edited first: personal, so built for each request. */
  async drafts(viewer: Viewer, paging: PageRequest): Promise<Answer> {
    const [posts, total] = await Promise.all([
      this.queries.draftPage(viewer.id, paging),
      this.queries.countDrafts(viewer.id),
    ]);
    return draftListAnswer({ posts, authors: await this.authorsOf(posts), paging, total });
  }

  /** The viewer's own post (a draft's preview, or their published post) with its status; undefined if not theirs. */
  async ownPost(viewer: Viewer, idOrSlug: string): Promise<Answer | undefined> {
    const post = await this.queries.ownPost(viewer.id, idOrSlug);
    if (!post) return undefined;
    const [authors, comments] = await Promise.all([
      this.queries.usersByIds([post.authorId]),
      this.queries.comments(post._id),
    ]);
    return ownPostAnswer(post, authors[0], comments);
  }

  /** The reader behind a token: who they are (from the token) and whom they follow (cached per reader). */
  async viewer(user: CurrentUser): Promise<Viewer> {
    const entry = await this.caches.viewers.getOrFill(`viewer\n${user.id}`, async () => {
      const following = new Set(await this.queries.followingOf(user.id));
      return { following, labels: [changeLabel.viewer(user.id)], size: 64 + 32 * following.size };
    });
    return { id: user.id, moderator: user.role === 'moderator', following: entry!.following };
  }

  private async buildPostList({ tag, author }: { tag?: string; author?: string }, paging: PageRequest) {
    const filter: PostFilter = {};
    const lists: string[] = [];
    const labels: string[] = [];
    if (tag) {
      filter.tag = tag;
      lists.push(tagList(tag));
      labels.push(changeLabel.anyTagList);
    }
    if (author) {
      // Usernames may change: filter by the author's id when the user is known.
      labels.push(changeLabel.username(author));
      const user = await this.queries.userByUsername(author);
      if (user) {
        filter.authorId = user._id;
        lists.push(authorList(user._id));
        labels.push(changeLabel.user(user._id));
      } else filter.authorUsername = author;
    }
    if (!tag && !author) lists.push(allPosts);
    labels.push(...lists.map(changeLabel.list));
    // One maintained total answers a single list; a tag and an author at once, or an
    // author not known as a user, is counted (an index range: that author's posts).
    const [posts, total] = await Promise.all([
      this.queries.postPage(filter, paging),
      lists.length === 1 && !filter.authorUsername
        ? this.queries.listTotal(lists[0]!)
        : this.queries.countPosts(filter),
    ]);
    return postListAnswer({ posts, authors: await this.authorsOf(posts), paging, total }, labels);
  }

  private async authorsOf(posts: readonly ListItem[]): Promise<Map<string, Author>> {
    const authors = await this.queries.usersByIds([...new Set(posts.map((p) => p.authorId))]);
    return new Map(authors.map((a) => [a._id, a]));
  }
}
