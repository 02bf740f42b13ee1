import type { OutboxFields, PlainChange } from '@postline/common';
import type { User } from '../data-access/user-model';
import { userProfileData } from '../event-payloads/user-events';

/**
 * What may happen to a stored user, decided over the user as it is at the
 * moment of writing (a plain object): each function returns the change and
 * the event announcing it, or undefined when nothing is to change (and so
 * nothing is announced). The repository only writes what these decide.
 */

type UserSubject = 'user.created' | 'user.updated' | 'user.followed' | 'user.unfollowed';

/** A user's change: profile fields set, a followee added or taken back (`following`), and its event. */
export type UserChange = PlainChange<User, UserSubject>;

/** A new account: no bio, no image, following nobody. */
export function newUser(
  fields: Pick<User, 'email' | 'username' | 'passwordHash' | 'role'>,
  id: string,
  now: Date,
): Omit<User, keyof OutboxFields> {
  return { _id: id, ...fields, bio: '', image: '', following: [], createdAt: now };
}

/** A profile edit; one that changes nothing is no change. */
export function profileEdit(user: User, changes: Partial<Pick<User, 'bio' | 'image'>>): UserChange | undefined {
  const next = { bio: changes.bio ?? user.bio, image: changes.image ?? user.image };
  if (next.bio === user.bio && next.image === user.image) return undefined;
  return { set: next, event: { subject: 'user.updated', data: userProfileData({ ...user, ...next }) } };
}

/** A role given or taken back (the moderator list changed); the same role is no change. */
export function roleChange(user: User, role: User['role']): UserChange | undefined {
  if (user.role === role) return undefined;
  return { set: { role }, event: { subject: 'user.updated', data: userProfileData({ ...user, role }) } };
}

/** Nobody follows themselves. */
export function canFollow(followerId: string, followeeId: string): boolean {
  return followerId !== followeeId;
}

/** A follow is a change of the follower; following twice is harmless: no change, no event. */
export function follow(follower: User, followeeId: string): UserChange | undefined {
  if (follower.following.includes(followeeId)) return undefined;
  return {
    addTo: { following: followeeId },
    event: { subject: 'user.followed', data: { followerId: follower._id, followeeId } },
  };
}

/** Unfollowing someone not followed is harmless too. */
export function unfollow(follower: User, followeeId: string): UserChange | undefined {
  if (!follower.following.includes(followeeId)) return undefined;
  return {
    pullFrom: { following: followeeId },
    event: { subject: 'user.unfollowed', data: { followerId: follower._id, followeeId } },
  };
}
