import type { Comment } from '../data-access/comment-model';
import type { Comment as CommentView } from '@postline/common';

export type { CommentView };

export function toCommentView(comment: Comment): CommentView {
  return {
    id: comment._id,
    postId: comment.postId,
    authorId: comment.authorId,
    authorUsername: comment.authorUsername,
    body: comment.body,
    status: comment.status,
    reason: comment.reason,
    version: comment.version,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
  };
}
