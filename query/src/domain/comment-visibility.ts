import type { CurrentUser } from '@postline/common';

/**
 * Who sees which comment (ARCHITECTURE.md): approved comments are visible to
 * everyone; pending and rejected ones only to their author, who also sees the
 * status and the reason, and to moderators.
 */
export type Viewer = Pick<CurrentUser, 'id' | 'role'> | undefined;

export function isModerator(viewer: Viewer): boolean {
  return viewer?.role === 'moderator';
}

/** The condition, as a Mongo filter on the comments view, for what the viewer may see. */
export function visibleCommentsFilter(viewer: Viewer): Record<string, unknown> {
  if (isModerator(viewer)) return {};
  if (viewer) return { $or: [{ status: 'approved' }, { authorId: viewer.id }] };
  return { status: 'approved' };
}

/** The reason behind a status is for the comment's author and moderators only. */
export function mayReadReason(viewer: Viewer, commentAuthorId: string): boolean {
  return isModerator(viewer) || viewer?.id === commentAuthorId;
}
