import type { Role } from '@postline/common';

/** Path segments under /api/users that a username would shadow. */
export const reservedUsernames = new Set(['me', 'signup', 'signin', 'signout', 'currentuser', 'admin', 'moderator']);

/** A role is granted only to an address the account proved (`verifiedEmail`), never to one merely typed. */
export function roleFor(user: { email: string; verifiedEmail?: string }, moderatorEmails: string[]): Role {
  const proven = user.verifiedEmail !== undefined && user.verifiedEmail === user.email;
  return proven && moderatorEmails.includes(user.email.toLowerCase()) ? 'moderator' : 'user';
}

/** Whether the account proved the address it signs in with. */
export function isVerified(user: { email: string; verifiedEmail?: string }): boolean {
  return user.verifiedEmail === user.email;
}
