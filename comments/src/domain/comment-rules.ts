import type { CurrentUser } from '@postline/common';
import type { Comment } from '../data-access/comment-model';

/** A comment's text, counted after trimming. */
export const commentBodyLimits = { min: 1, max: 5_000 } as const;

/** Only the author edits a comment's text; a moderator decides, but does not rewrite. */
export function canEdit(user: CurrentUser, comment: Pick<Comment, 'authorId'>): boolean {
  return user.id === comment.authorId;
}

/** The comment's author, the author of the post it is on, or a moderator. */
export function canDelete(
  user: CurrentUser,
  comment: Pick<Comment, 'authorId'>,
  postAuthorId: string | undefined,
): boolean {
  return user.id === comment.authorId || user.id === postAuthorId || user.role === 'moderator';
}

/** Approved comments are public; pending and rejected ones only their author and moderators see. */
export function canSee(viewer: CurrentUser | undefined, comment: Pick<Comment, 'authorId' | 'status'>): boolean {
  if (comment.status === 'approved') return true;
  return viewer !== undefined && (viewer.id === comment.authorId || viewer.role === 'moderator');
}
