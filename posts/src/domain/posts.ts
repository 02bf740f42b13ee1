import { ForbiddenError, NotFoundError, type CurrentUser } from '@postline/common';
import type { AuthorRepository } from '../data-access/author-repository';
import type { PostDocument } from '../data-access/post-model';
import type { ContentChanges, PostRepository } from '../data-access/post-repository';
import { baseSlugFor, canChangePost, isPostId, suffixedSlug } from './post-rules';
import type { LikeState, Post as PostView } from '@postline/common';

export type { LikeState, PostView };

export interface NewPostInput {
  title: string;
  body: string;
  tags: string[];
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
    const post = await this.posts.create(
      { ...input, authorId: author.id, authorUsername },
      slugCandidates(input.title),
    );
    return toPostView(post);
  }

  async get(id: string): Promise<PostView> {
    return toPostView(await this.findLive(id));
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
    const post = isPostId(id) ? await this.posts.addLike(id, user.id) : null;
    if (!post) throw notFound();
    return { postId: post._id, liked: true, likeCount: post.likeCount };
  }

  async unlike(user: CurrentUser, id: string): Promise<LikeState> {
    const post = isPostId(id) ? await this.posts.removeLike(id, user.id) : null;
    if (!post) throw notFound();
    return { postId: post._id, liked: false, likeCount: post.likeCount };
  }

  private async findLive(id: string): Promise<PostDocument> {
    const post = isPostId(id) ? await this.posts.findLive(id) : null;
    if (!post) throw notFound();
    return post;
  }

  private async findChangeable(actor: CurrentUser, id: string): Promise<PostDocument> {
    const post = await this.findLive(id);
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
  };
}
