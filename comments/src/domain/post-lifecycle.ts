import { RetryLaterError, type EventEnvelope } from '@postline/common';
import type { CommentRepository } from '../data-access/comment-repository';
import type { PostReplicaRepository, ReplicaWrite } from '../data-access/post-replica-repository';

/** Keeps the post replica and applies what a post's deletion means for its comments. */
export class PostLifecycle {
  constructor(
    private readonly posts: PostReplicaRepository,
    private readonly comments: CommentRepository,
  ) {}

  /** A snapshot without a status is from before drafts existed: published. */
  postCreated(event: EventEnvelope<'post.created'>): Promise<ReplicaWrite> {
    const { id, authorId, status } = event.data;
    return this.posts.recordCreated({ id, authorId, version: event.version, published: status !== 'draft' });
  }

  /** An edit, a publication, an unpublication or a schedule: only whether it is published matters here. */
  async postUpdated(event: EventEnvelope<'post.updated'>): Promise<ReplicaWrite> {
    const { id, status } = event.data;
    if (!(await this.posts.findById(id))) {
      throw new RetryLaterError(`post ${id} is not known yet: post.created must come first`);
    }
    return this.posts.recordPublication(id, event.version, status !== 'draft');
  }

  /**
   * Marks the post deleted, then deletes each of its comments, each announced
   * by its own `comment.deleted` (a comment is an aggregate; its history ends
   * with its deletion whoever caused it). A redelivery after a crash part-way
   * finds the post deleted and finishes the comments: the sweep is idempotent.
   */
  async postDeleted(event: EventEnvelope<'post.deleted'>): Promise<ReplicaWrite> {
    const post = await this.posts.findById(event.data.id);
    if (!post) throw new RetryLaterError(`post ${event.data.id} is not known yet: post.created must come first`);
    const write = await this.posts.recordDeleted(post, event.version);
    const now = await this.posts.findById(event.data.id);
    if (now?.deleted) {
      for (const commentId of await this.comments.liveIdsOfPost(event.data.id)) await this.comments.delete(commentId);
    }
    return write;
  }
}
