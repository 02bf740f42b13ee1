import { applyInOrder, type DocChange, type EventData, type EventEnvelope } from '@postline/common';
import type { ReadModels, StoredUser } from '../../data-access/read-models';
import { recountFollowers } from '../../data-access/maintained-counts';
import { changeLabel } from '../../domain/change-labels';
import type { ReadModelHandlers } from './handlers';

type UserSubject = 'user.created' | 'user.updated' | 'user.followed' | 'user.unfollowed';

/** The change each user event makes to its user's document (shared by the live handlers and the batched replay). */
export function userChange(event: EventEnvelope<UserSubject>): DocChange<StoredUser> {
  switch (event.subject) {
    case 'user.created': {
      const { id, username, role, bio, image } = event.data as EventData<'user.created'>;
      return { create: () => ({ _id: id, username, role, bio, image, following: [], followerCount: 0, version: 0 }) };
    }
    case 'user.updated': {
      const { username, role, bio, image } = event.data as EventData<'user.updated'>;
      return { update: { $set: { username, role, bio, image } } };
    }
    case 'user.followed':
      return { update: { $addToSet: { following: (event.data as EventData<'user.followed'>).followeeId } } };
    case 'user.unfollowed':
      return { update: { $pull: { following: (event.data as EventData<'user.unfollowed'>).followeeId } } };
  }
}

/**
 * user.*: profiles and who follows whom, one document per user (the follower
 * holds the follow); the followee's follower count is recounted after each
 * follow or unfollow, and a new user counts the follows that came first.
 */
export function userHandlers({ users }: ReadModels): Pick<ReadModelHandlers, UserSubject> {
  const profileLabels = (id: string, username: string) => [
    changeLabel.user(id),
    changeLabel.profile(id),
    changeLabel.viewer(id),
    changeLabel.username(username),
  ];
  return {
    'user.created': async (event) => {
      await applyInOrder(users, event, userChange(event));
      await recountFollowers(users, event.data.id);
      return profileLabels(event.data.id, event.data.username);
    },
    'user.updated': async (event) => {
      await applyInOrder(users, event, userChange(event));
      return profileLabels(event.data.id, event.data.username);
    },
    'user.followed': async (event) => {
      await applyInOrder(users, event, userChange(event));
      await recountFollowers(users, event.data.followeeId);
      return followLabels(event.data);
    },
    'user.unfollowed': async (event) => {
      await applyInOrder(users, event, userChange(event));
      await recountFollowers(users, event.data.followeeId);
      return followLabels(event.data);
    },
  };
}

function followLabels({ followerId, followeeId }: { followerId: string; followeeId: string }) {
  return [changeLabel.viewer(followerId), changeLabel.profile(followerId), changeLabel.profile(followeeId)];
}
