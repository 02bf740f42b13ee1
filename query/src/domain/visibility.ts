import type { StoredComment, StoredPost } from '../data-access/read-models';

/**
 * Who sees what, the rules every read model follows: a post is public while published and not
 * deleted (drafts and tombstones are nobody's but their author's); a comment is public, and
 * counted in its post's `commentCount`, while approved and not deleted.
 */
export const isPublic = (post: Pick<StoredPost, 'published' | 'deleted'>): boolean => !post.deleted && post.published;

export const isApproved = (comment: Pick<StoredComment, 'status' | 'deleted'> | null | undefined): boolean =>
  !!comment && comment.status === 'approved' && !comment.deleted;
