import type { CurrentUser } from '@postline/common';
import type { CommentRecord } from '../data-access/comment-model';
import type { PostReplica } from '../data-access/post-replica-model';

/** A comment's text, counted after trimming. */
export const commentBodyLimits = { min: 1, max: 5_000 } as const;

// Who may edit or delete a comment is shared with the client: `@postline/common/rules`.

/** Approved comments are public; pending and rejected ones only their author and moderators see. */
export function canSee(viewer: CurrentUser | undefined, comment: Pick<CommentRecord, 'authorId' | 'status'>): boolean {
  if (comment.status === 'approved') return true;
  return viewer !== undefined && (viewer.id === comment.authorId || viewer.role === 'moderator');
}

/**
 * A post's comments are on show while the post is. A post taken back to a draft is its author's
 * alone, comments included: to anyone else (a comment's own author and moderators too) its
 * comments do not exist, so not even their answers tell that the post still exists.
 */
export function postOnShowTo(
  viewer: CurrentUser | undefined,
  post: Pick<PostReplica, 'authorId' | 'published' | 'deleted'> | null,
): boolean {
  if (!post || post.deleted) return false;
  return post.published || viewer?.id === post.authorId;
}
