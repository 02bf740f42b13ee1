import type { Role } from '@postline/common';

/** Path segments under /api/users that a username would shadow. */
export const reservedUsernames = new Set(['me', 'signup', 'signin', 'signout', 'currentuser', 'admin', 'moderator']);

export function roleFor(email: string, moderatorEmails: string[]): Role {
  return moderatorEmails.includes(email.toLowerCase()) ? 'moderator' : 'user';
}
