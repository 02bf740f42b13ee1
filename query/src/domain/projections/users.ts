import type { EventEnvelope } from '@postline/common';
import type { StoredUser } from '../../data-access/read-models';
import { changeLabel, type ChangeLabels } from '../change-labels';
import { inOrder, skip, wait, type Projection } from './projection';

export type UserEvent =
  | EventEnvelope<'user.created'>
  | EventEnvelope<'user.updated'>
  | EventEnvelope<'user.followed'>
  | EventEnvelope<'user.unfollowed'>;

export interface UserEffects {
  /** Users whose follower count may have changed (followerCountsOf). */
  followerCounts: string[];
}

/** Users whose follower count an event may change: the followee, or a new user (follows may come first). */
export function followerCountsOf(event: UserEvent): string[] {
  switch (event.subject) {
    case 'user.created':
      return [event.data.id];
    case 'user.updated':
      return [];
    default:
      return [event.data.followeeId];
  }
}

/**
 * users: one document per user; a follow is a change of the follower, who
 * holds the ids they follow. Follower counts are kept on the followee by the
 * drivers, from the follows (see UserEffects).
 */
export function projectUser(current: StoredUser | undefined, event: UserEvent): Projection<StoredUser, UserEffects> {
  const order = inOrder(current?.version, event.version, `user ${event.aggregateId}`);
  if (order !== 'apply') return order === 'skip' ? skip : order;
  const after = userAfter(current, event);
  if (!after)
    return wait(`user ${event.aggregateId}: ${event.subject} v${event.version} cannot apply to v${current?.version}`);
  return {
    outcome: 'apply',
    after: { ...after, version: event.version },
    effects: { followerCounts: followerCountsOf(event) },
  };
}

/** The user after the event; undefined for a creation of a user we have, or a change of one we have not. */
function userAfter(current: StoredUser | undefined, event: UserEvent): Omit<StoredUser, 'version'> | undefined {
  if (event.subject === 'user.created') {
    const { id, username, role, bio, image } = event.data;
    return current ? undefined : { _id: id, username, role, bio, image, following: [], followerCount: 0 };
  }
  if (!current) return undefined;
  switch (event.subject) {
    case 'user.updated': {
      const { username, role, bio, image } = event.data;
      return { ...current, username, role, bio, image };
    }
    case 'user.followed': {
      const { followeeId } = event.data;
      return current.following.includes(followeeId)
        ? current
        : { ...current, following: [...current.following, followeeId] };
    }
    case 'user.unfollowed':
      return { ...current, following: current.following.filter((id) => id !== event.data.followeeId) };
  }
}

/** The answers a user event may have made stale, applied or redelivered. */
export function userLabels(event: UserEvent): ChangeLabels {
  if (event.subject === 'user.followed' || event.subject === 'user.unfollowed') {
    const { followerId, followeeId } = event.data;
    return [changeLabel.viewer(followerId), changeLabel.profile(followerId), changeLabel.profile(followeeId)];
  }
  const { id, username } = event.data;
  return [changeLabel.user(id), changeLabel.profile(id), changeLabel.viewer(id), changeLabel.username(username)];
}
