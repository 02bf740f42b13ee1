import type { ApplyOutcome, EventEnvelope } from '@postline/common';
import type { CommentRepository } from '../data-access/comment-repository';
import type { PostReplicaRepository } from '../data-access/post-replica-repository';
import { deleteComment } from './comment-changes';

/** Keeps the post replica and applies what a post's deletion means for its comments. */
export class PostLifecycle {
  constructor(
    private readonly posts: PostReplicaRepository,
    private readonly comments: CommentRepository,
  ) {}

  /** A snapshot without a status is from before drafts existed: published. */
  postCreated(event: EventEnvelope<'post.created'>): Promise<ApplyOutcome> {
    const { id, authorId, status } = event.data;
    return this.posts.apply(event, {
      create: () => ({ _id: id, authorId, version: 0, published: status !== 'draft', deleted: false }),
    });
  }

  /** An edit, a publication, an unpublication or a schedule: only whether it is published matters here. */
  postUpdated(event: EventEnvelope<'post.updated'>): Promise<ApplyOutcome> {
    return this.posts.apply(event, { update: { $set: { published: event.data.status !== 'draft' } } });
  }

  /**
   * Marks the post deleted, then deletes each of its comments, each announced
   * by its own `comment.deleted` (a comment is an aggregate; its history ends
   * with its deletion whoever caused it). A redelivery after a crash part-way
   * finds the post deleted and finishes the comments: the sweep is idempotent.
   */
  async postDeleted(event: EventEnvelope<'post.deleted'>): Promise<ApplyOutcome> {
    const write = await this.posts.apply(event, { update: { $set: { deleted: true } } });
    if ((await this.posts.findById(event.data.id))?.deleted) {
      for (const commentId of await this.comments.liveIdsOfPost(event.data.id))
        await deleteComment(this.comments, commentId);
    }
    return write;
  }
}
