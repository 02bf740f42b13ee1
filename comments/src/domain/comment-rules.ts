import type { CurrentUser } from '@postline/common';
import type { CommentRecord } from '../data-access/comment-model';

/** A comment's text, counted after trimming. */
export const commentBodyLimits = { min: 1, max: 5_000 } as const;

// Who may edit or delete a comment is shared with the client: `@postline/common/rules`.

/** Approved comments are public; pending and rejected ones only their author and moderators see. */
export function canSee(viewer: CurrentUser | undefined, comment: Pick<CommentRecord, 'authorId' | 'status'>): boolean {
  if (comment.status === 'approved') return true;
  return viewer !== undefined && (viewer.id === comment.authorId || viewer.role === 'moderator');
}
