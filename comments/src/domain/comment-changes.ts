import type { OutboxFields, PlainChange } from '@postline/common';
import type { CommentRecord } from '../data-access/comment-model';
import type { CommentRepository } from '../data-access/comment-repository';
import { commentDeletedData, commentSnapshotData } from '../event-payloads/comment-events';

/**
 * What may happen to a stored comment, decided over the comment as it is at
 * the moment of writing (a plain object): each function returns the change
 * and the event announcing it, or undefined when nothing is to change. The
 * repository only writes what these (and `moderation-decision.ts`) decide.
 */

type CommentSubject = 'comment.created' | 'comment.updated' | 'comment.deleted';

/** A comment's change: fields set, and its event. */
export type CommentChange = PlainChange<CommentRecord, CommentSubject>;

/**
 * New text goes back to `pending`: it has to be moderated again, and the
 * version that writes it is the one decisions about it name. The same text
 * again, or a deleted comment, is no change.
 */
export function bodyEdit(comment: CommentRecord, body: string, now: Date): CommentChange | undefined {
  if (comment.deleted || comment.body === body) return undefined;
  const next = { body, status: 'pending' as const, reason: '', updatedAt: now };
  return {
    set: { ...next, bodyVersion: comment.version + 1 },
    event: { subject: 'comment.updated', data: commentSnapshotData({ ...comment, ...next }) },
  };
}

/** Deleting leaves a tombstone with the text erased; deleting it again is no change. */
export function deletion(comment: CommentRecord, now: Date): CommentChange | undefined {
  if (comment.deleted) return undefined;
  return {
    set: { deleted: true, deletedAt: now, body: '' },
    event: { subject: 'comment.deleted', data: commentDeletedData(comment) },
  };
}

/** A new comment waits for moderation; its text is its first version's. */
export function newComment(
  fields: Pick<CommentRecord, 'postId' | 'authorId' | 'authorUsername' | 'body'>,
  id: string,
  now: Date,
): Omit<CommentRecord, keyof OutboxFields> {
  return {
    _id: id,
    ...fields,
    status: 'pending',
    reason: '',
    createdAt: now,
    updatedAt: now,
    bodyVersion: 0,
    moderationVersion: -1,
    deleted: false,
    deletedAt: null,
  };
}

/** Deletes the comment as `deletion` says; false if it was deleted already (or is unknown). */
export async function deleteComment(comments: Pick<CommentRepository, 'change'>, id: string): Promise<boolean> {
  return (await comments.change(id, (comment) => deletion(comment, new Date())))?.changed ?? false;
}
