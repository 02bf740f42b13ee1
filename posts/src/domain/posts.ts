import { ConflictError, ForbiddenError, NotFoundError, type CurrentUser } from '@postline/common';
import { canChangePost, canPublishPost } from '@postline/common/rules';
import type { AuthorRepository } from '../data-access/author-repository';
import type { PostDocument } from '../data-access/post-model';
import type { ContentChanges, PostRepository } from '../data-access/post-repository';
import { publishedAtOf } from '../events/post-events';
import {
  baseSlugFor,
  canSeePost,
  initialPublication,
  isDue,
  isPostId,
  publish,
  schedule,
  suffixedSlug,
  unpublish,
  type PostStatus,
} from './post-rules';
import type { LikeState, Post as PostView } from '@postline/common';

export type { LikeState, PostView };

export interface NewPostInput {
  title: string;
  body: string;
  tags: string[];
  /** Absent: published at once (the API as it always was); `publishAt` makes a scheduled draft. */
  status?: PostStatus;
  publishAt?: string;
}

/** How many suffixed slugs to try after the plain one before giving up (collisions are rare). */
const SLUG_ATTEMPTS = 5;

/** The post use cases: write, read, edit, delete, like. Input arrives validated and normalised. */
export class Posts {
  constructor(
    private readonly posts: PostRepository,
    private readonly authors: AuthorRepository,
  ) {}

  async create(author: CurrentUser, input: NewPostInput): Promise<PostView> {
    // The replica is the authority on usernames; a brand-new user may post
    // before their user.created reached us, and then their token's username is used.
    const authorUsername = (await this.authors.usernameOf(author.id)) ?? author.username;
    const { title, body, tags } = input;
    const now = new Date(); // created and, unless a draft, published at the same instant
    const post = await this.posts.create(
      { title, body, tags, authorId: author.id, authorUsername, ...initialPublication(input, now) },
      slugCandidates(input.title),
      now,
    );
    return toPostView(post);
  }

  /** A draft only for its author: for anyone else it does not exist. */
  async get(viewer: CurrentUser | undefined, id: string): Promise<PostView> {
    return toPostView(await this.findVisible(viewer, id));
  }

  async publish(actor: CurrentUser, id: string): Promise<PostView> {
    await this.findPublishable(actor, id);
    return this.changePublication(id, (post) => publish(post, new Date()));
  }

  async unpublish(actor: CurrentUser, id: string): Promise<PostView> {
    await this.findChangeable(actor, id);
    return this.changePublication(id, (post) => unpublish(post));
  }

  async schedule(actor: CurrentUser, id: string, publishAt: string): Promise<PostView> {
    await this.findPublishable(actor, id);
    return this.changePublication(id, (post) => {
      const next = schedule(post, new Date(publishAt));
      if (next === 'published')
        throw new ConflictError('The post is published already; unpublish it first', 'publishAt');
      return next;
    });
  }

  /**
   * The due-time check: publishes the scheduled drafts whose time has come.
   * Every replica runs it; each publication is a version-guarded write that
   * re-checks the post, so however many replicas find the same post due,
   * exactly one publishes it (and announces it) and the others see it
   * published and do nothing.
   * @returns the ids this call published
   */
  async publishDue(now = new Date(), batch = 100): Promise<string[]> {
    const published: string[] = [];
    for (const id of await this.posts.dueIds(now, batch)) {
      try {
        const result = await this.posts.changePublication(id, (post) =>
          isDue(post, now) ? publish(post, now) : undefined,
        );
        if (result?.changed) published.push(id);
      } catch (err) {
        // Lost every race for this post (a busy post); it is still due, so the next check takes it.
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    return published;
  }

  private async changePublication(
    id: string,
    decide: Parameters<PostRepository['changePublication']>[1],
  ): Promise<PostView> {
    const result = await this.posts.changePublication(id, decide);
    if (!result) throw notFound();
    return toPostView(result.post);
  }

  async update(actor: CurrentUser, id: string, changes: ContentChanges): Promise<PostView> {
    const post = await this.findChangeable(actor, id);
    const authorUsername = (await this.authors.usernameOf(post.authorId)) ?? post.authorUsername;
    const updated = await this.posts.updateContent(id, changes, authorUsername);
    if (!updated) throw notFound();
    return toPostView(updated);
  }

  async delete(actor: CurrentUser, id: string): Promise<void> {
    await this.findChangeable(actor, id);
    if (!(await this.posts.markDeleted(id))) throw notFound();
  }

  async like(user: CurrentUser, id: string): Promise<LikeState> {
    await this.findVisible(user, id);
    const post = await this.posts.addLike(id, user.id);
    if (!post) throw notFound();
    return { postId: post._id, liked: true, likeCount: post.likeCount };
  }

  async unlike(user: CurrentUser, id: string): Promise<LikeState> {
    await this.findVisible(user, id);
    const post = await this.posts.removeLike(id, user.id);
    if (!post) throw notFound();
    return { postId: post._id, liked: false, likeCount: post.likeCount };
  }

  private async findLive(id: string): Promise<PostDocument> {
    const post = isPostId(id) ? await this.posts.findLive(id) : null;
    if (!post) throw notFound();
    return post;
  }

  private async findVisible(viewer: CurrentUser | undefined, id: string): Promise<PostDocument> {
    const post = await this.findLive(id);
    if (!canSeePost(viewer, post)) throw notFound();
    return post;
  }

  private async findPublishable(actor: CurrentUser, id: string): Promise<PostDocument> {
    const post = await this.findVisible(actor, id);
    if (!canPublishPost(actor, post)) throw new ForbiddenError('Only the author may publish or schedule this post');
    return post;
  }

  private async findChangeable(actor: CurrentUser, id: string): Promise<PostDocument> {
    const post = await this.findVisible(actor, id);
    if (!canChangePost(actor, post)) throw new ForbiddenError('Only the author or a moderator may change this post');
    return post;
  }
}

function* slugCandidates(title: string): Generator<string> {
  const base = baseSlugFor(title);
  yield base;
  for (let i = 0; i < SLUG_ATTEMPTS; i++) yield suffixedSlug(base);
}

function notFound(): NotFoundError {
  return new NotFoundError('Post not found');
}

export function toPostView(post: PostDocument): PostView {
  return {
    id: post._id,
    slug: post.slug,
    title: post.title,
    body: post.body,
    tags: [...post.tags],
    authorId: post.authorId,
    authorUsername: post.authorUsername,
    likeCount: post.likeCount,
    version: post.version,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    status: post.status,
    publishedAt: publishedAtOf(post)?.toISOString() ?? null,
    publishAt: post.publishAt?.toISOString() ?? null,
  };
}
