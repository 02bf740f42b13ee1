import {
  ForbiddenError,
  NotFoundError,
  type Comment,
  type CurrentUser,
  type ReplicaCatchUp,
  newAggregateId,
} from '@postline/common';
import type { CommentRecord } from '../data-access/comment-model';
import type { CommentRepository } from '../data-access/comment-repository';
import { commentSnapshotData } from '../event-payloads/comment-events';
import type { PostReplicaRepository } from '../data-access/post-replica-repository';
import type { PostReplica } from '../data-access/post-replica-model';
import { canDeleteComment, canEditComment } from '@postline/common/rules';
import { canSee, postOnShowTo } from './comment-rules';
import { bodyEdit, deleteComment, newComment } from './comment-changes';

/** Writing, editing and deleting comments: the use cases behind the HTTP routes. */
export class Comments {
  constructor(
    private readonly comments: CommentRepository,
    private readonly posts: PostReplicaRepository,
    private readonly postsCatchUp: ReplicaCatchUp,
  ) {}

  /**
   * The post is known here only from post.created: one created a moment ago may not have
   * reached the replica yet, so the comment waits for it (up to REPLICA_WAIT_MS) before
   * answering 404. A deleted post is answered at once. Nobody comments on a draft (its
   * author included: it is not on show); a draft published a moment ago is waited for the
   * same way, since its post.updated may not have reached the replica yet.
   */
  async create(author: CurrentUser, input: { postId: string; body: string }): Promise<Comment> {
    const post = await this.postsCatchUp.waitFor(input.postId, () => this.posts.findById(input.postId));
    if (!post || post.deleted) throw new NotFoundError('Post not found');
    if (!post.published) {
      const published = await this.postsCatchUp.waitFor(input.postId, () => this.posts.findPublished(input.postId), {
        anyAge: true,
      });
      if (!published) throw new NotFoundError('Post not found');
    }
    const record = newComment(
      { postId: input.postId, authorId: author.id, authorUsername: author.username, body: input.body },
      newAggregateId(),
      new Date(),
    );
    const comment = await this.comments.insert(record, {
      subject: 'comment.created',
      data: commentSnapshotData(record),
    });
    // The post may have been deleted between the check and the write, after
    // its deletion swept its comments: this one must not outlive it.
    if (!(await this.posts.findLive(input.postId))) {
      await deleteComment(this.comments, comment._id);
      throw new NotFoundError('Post not found');
    }
    return toComment(comment);
  }

  async get(id: string, viewer: CurrentUser | undefined): Promise<Comment> {
    const { comment } = await this.findOnShow(id, viewer);
    if (!canSee(viewer, comment)) throw new NotFoundError('Comment not found');
    return toComment(comment);
  }

  async edit(user: CurrentUser, id: string, body: string): Promise<Comment> {
    const { comment } = await this.findOnShow(id, user);
    if (!canEditComment(user, comment)) throw new ForbiddenError('Only the author can edit a comment');
    const edited = await this.comments.change(id, (current) => bodyEdit(current, body, new Date()));
    if (!edited || edited.doc.deleted) throw new NotFoundError('Comment not found');
    return toComment(edited.doc);
  }

  async delete(user: CurrentUser, id: string): Promise<void> {
    const { comment, post } = await this.findOnShow(id, user);
    if (!canDeleteComment(user, comment, post.authorId)) {
      throw new ForbiddenError("Only the comment's author, the post's author or a moderator can delete a comment");
    }
    if (!(await deleteComment(this.comments, id))) throw new NotFoundError('Comment not found');
  }

  /** A live comment whose post is on show to the caller (see postOnShowTo); else not found. */
  private async findOnShow(
    id: string,
    viewer: CurrentUser | undefined,
  ): Promise<{ comment: CommentRecord; post: PostReplica }> {
    const comment = await this.comments.findLive(id);
    const post = comment && (await this.posts.findById(comment.postId));
    if (!comment || !post || !postOnShowTo(viewer, post)) throw new NotFoundError('Comment not found');
    return { comment, post };
  }
}

/** The API's answer for a stored comment: what its events carry, and its version. */
export function toComment(comment: CommentRecord): Comment {
  return { ...commentSnapshotData(comment), reason: comment.reason, version: comment.version };
}
