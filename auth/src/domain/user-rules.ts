import type { Role } from '@postline/common';

/** Path segments under /api/users that a username would shadow. */
export const reservedUsernames = new Set(['me', 'signup', 'signin', 'signout', 'currentuser', 'admin', 'moderator']);

export const usernamePattern = /^[a-z0-9_]{3,30}$/;

export function roleFor(email: string, moderatorEmails: string[]): Role {
  return moderatorEmails.includes(email.toLowerCase()) ? 'moderator' : 'user';
}

export function canFollow(followerId: string, followeeId: string): boolean {
  return followerId !== followeeId;
}
