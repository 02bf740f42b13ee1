import type { EventData } from '@postline/common';
import type { CommentRecord } from '../data-access/comment-model';

type CommentFields = Pick<
  CommentRecord,
  '_id' | 'postId' | 'authorId' | 'authorUsername' | 'body' | 'status' | 'reason' | 'createdAt' | 'updatedAt'
>;

/** The comment as `comment.created` and `comment.updated` carry it: the whole current state. */
export function commentSnapshotData(comment: CommentFields): EventData<'comment.updated'> {
  return {
    id: comment._id,
    postId: comment.postId,
    authorId: comment.authorId,
    authorUsername: comment.authorUsername,
    body: comment.body,
    status: comment.status,
    reason: comment.reason,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
  };
}

export function commentDeletedData(comment: Pick<CommentRecord, '_id' | 'postId'>): EventData<'comment.deleted'> {
  return { id: comment._id, postId: comment.postId };
}
