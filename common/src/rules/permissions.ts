import type { CurrentUser } from '../auth/user-token';

/** Who acts: the signed-in user as the token (services) or `GET /api/users/currentuser` (client) gives them. */
export type Actor = Pick<CurrentUser, 'id' | 'role'>;

/** The author edits, unpublishes and deletes their post; moderators may too (taking a post down). */
export function canChangePost(actor: Actor, post: { authorId: string }): boolean {
  return actor.id === post.authorId || actor.role === 'moderator';
}

/** Publishing and scheduling are the author's decision alone. */
export function canPublishPost(actor: Actor, post: { authorId: string }): boolean {
  return actor.id === post.authorId;
}

/** Only the author edits a comment's text; a moderator decides, but does not rewrite. */
export function canEditComment(actor: Actor, comment: { authorId: string }): boolean {
  return actor.id === comment.authorId;
}

/** The comment's author, the author of the post it is on, or a moderator. */
export function canDeleteComment(
  actor: Actor,
  comment: { authorId: string },
  postAuthorId: string | undefined,
): boolean {
  return actor.id === comment.authorId || actor.id === postAuthorId || actor.role === 'moderator';
}
