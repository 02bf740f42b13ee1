import type { Comment } from '../data-access/comment-model';

/** The Comment of the HTTP API. */
export interface CommentView {
  id: string;
  postId: string;
  authorId: string;
  authorUsername: string;
  body: string;
  status: Comment['status'];
  reason: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

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
