import {
  ConcurrentModificationError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  type CurrentUser,
  type LikeState,
  type PostStatus,
  type Post,
  newAggregateId,
} from '@postline/common';
import { canChangePost, canPublishPost } from '@postline/common/rules';
import type { AuthorRepository } from '../data-access/author-repository';
import type { PostRecord } from '../data-access/post-model';
import type { PostRepository } from '../data-access/post-repository';
import { postSnapshotData, publishedAtOf } from '../event-payloads/post-events';
import {
  contentEdit,
  deletion,
  isDeleted,
  like,
  newPost,
  publicationChange,
  unlike,
  type ContentChanges,
  type PostChange,
} from './post-changes';
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
  type Publication,
} from './post-rules';

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

  async create(author: CurrentUser, input: NewPostInput): Promise<Post> {
    // The replica is the authority on usernames; a brand-new user may post
    // before their user.created reached us, and then their token's username is used.
    const authorUsername = (await this.authors.usernameOf(author.id)) ?? author.username;
    const { title, body, tags } = input;
    const now = new Date(); // created and, unless a draft, published at the same instant
    const fields = { title, body, tags, authorId: author.id, authorUsername, ...initialPublication(input, now) };
    // The first free slug of the candidates; the unique index decides races between posts with the same title.
    for (const slug of slugCandidates(input.title, fields.status)) {
      if (await this.posts.slugTaken(slug)) continue;
      const post = newPost(fields, newAggregateId(), slug, now);
      const created = await this.posts.insert(post, { subject: 'post.created', data: postSnapshotData(post) });
      if (created) return toPost(created);
    }
    throw new ConflictError('Could not find a free slug for this title; try again', 'title');
  }

  /** A draft only for its author: for anyone else it does not exist. */
  async get(viewer: CurrentUser | undefined, id: string): Promise<Post> {
    return toPost(await this.findVisible(viewer, id));
  }

  async publish(actor: CurrentUser, id: string): Promise<Post> {
    await this.findPublishable(actor, id);
    return this.changePublication(id, (post) => publish(post, new Date()));
  }

  async unpublish(actor: CurrentUser, id: string): Promise<Post> {
    await this.findChangeable(actor, id);
    return this.changePublication(id, (post) => unpublish(post));
  }

  async schedule(actor: CurrentUser, id: string, publishAt: string): Promise<Post> {
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
        const result = await this.change(id, (post) => {
          const next = isDue(post, now) ? publish(post, now) : undefined;
          return next && publicationChange(post, next);
        });
        if (result?.changed) published.push(id);
      } catch (err) {
        // Lost every race for this post (a busy post); it is still due, so the next check takes it.
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    return published;
  }

  private async changePublication(id: string, decide: (post: PostRecord) => Publication | undefined): Promise<Post> {
    const result = await this.change(id, (post) => {
      const next = decide(post);
      return next && publicationChange(post, next);
    });
    if (!result) throw notFound();
    return toPost(result.doc);
  }

  async update(actor: CurrentUser, id: string, changes: ContentChanges): Promise<Post> {
    const post = await this.findChangeable(actor, id);
    const authorUsername = (await this.authors.usernameOf(post.authorId)) ?? post.authorUsername;
    const result = await this.change(id, (current) => contentEdit(current, changes, authorUsername, new Date()));
    if (!result) throw notFound();
    return toPost(result.doc);
  }

  async delete(actor: CurrentUser, id: string): Promise<void> {
    await this.findChangeable(actor, id);
    if (!(await this.change(id, (post) => deletion(post, new Date())))) throw notFound();
  }

  async like(user: CurrentUser, id: string): Promise<LikeState> {
    await this.findVisible(user, id);
    const result = await this.change(id, (post) => like(post, user.id));
    if (!result) throw notFound();
    return { postId: result.doc._id, liked: true, likeCount: result.doc.likeCount };
  }

  async unlike(user: CurrentUser, id: string): Promise<LikeState> {
    await this.findVisible(user, id);
    const result = await this.change(id, (post) => unlike(post, user.id));
    if (!result) throw notFound();
    return { postId: result.doc._id, liked: false, likeCount: result.doc.likeCount };
  }

  /**
   * A version-guarded change of a live post: the plan sees the post as it is
   * at the moment of writing, so a post deleted meanwhile is never changed.
   * @returns null if the post is gone
   */
  private async change(
    id: string,
    plan: (post: PostRecord) => PostChange | undefined,
  ): Promise<{ doc: PostRecord; changed: boolean } | null> {
    try {
      return await this.posts.change(id, (post) => {
        if (isDeleted(post)) throw new PostGone();
        return plan(post);
      });
    } catch (err) {
      if (err instanceof PostGone) return null;
      if (err instanceof ConcurrentModificationError)
        throw new ConflictError('The post kept changing while we saved; try again');
      throw err;
    }
  }

  private async findLive(id: string): Promise<PostRecord> {
    const post = isPostId(id) ? await this.posts.findById(id) : null;
    if (!post || isDeleted(post)) throw notFound();
    return post;
  }

  private async findVisible(viewer: CurrentUser | undefined, id: string): Promise<PostRecord> {
    const post = await this.findLive(id);
    if (!canSeePost(viewer, post)) throw notFound();
    return post;
  }

  private async findPublishable(actor: CurrentUser, id: string): Promise<PostRecord> {
    const post = await this.findVisible(actor, id);
    if (!canPublishPost(actor, post)) throw new ForbiddenError('Only the author may publish or schedule this post');
    return post;
  }

  private async findChangeable(actor: CurrentUser, id: string): Promise<PostRecord> {
    const post = await this.findVisible(actor, id);
    if (!canChangePost(actor, post)) throw new ForbiddenError('Only the author or a moderator may change this post');
    return post;
  }
}

/**
 * A post created published asks for its title's plain slug first; a draft never does, since
 * whether a plain slug is free must not tell anyone that somebody's draft has that title
 * (`hello-world` taken by a hidden draft would push a stranger's post to `hello-world-3f9a1c`).
 */
function* slugCandidates(title: string, status: PostStatus): Generator<string> {
  const base = baseSlugFor(title);
  if (status === 'published') yield base;
  for (let i = 0; i < SLUG_ATTEMPTS; i++) yield suffixedSlug(base);
}

class PostGone extends Error {}

function notFound(): NotFoundError {
  return new NotFoundError('Post not found');
}

/** The API's answer for a stored post. */
export function toPost(post: PostRecord): Post {
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
