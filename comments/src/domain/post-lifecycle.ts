import { RetryLaterError, type EventEnvelope } from '@postline/common';
import type { CommentRepository } from '../data-access/comment-repository';
import type { PostReplicaRepository, ReplicaWrite } from '../data-access/post-replica-repository';

/** Keeps the post replica and applies what a post's deletion means for its comments. */
export class PostLifecycle {
  constructor(
    private readonly posts: PostReplicaRepository,
    private readonly comments: CommentRepository,
  ) {}

  postCreated(event: EventEnvelope<'post.created'>): Promise<ReplicaWrite> {
    return this.posts.recordCreated({ id: event.data.id, authorId: event.data.authorId, version: event.version });
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
