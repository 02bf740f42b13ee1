import type { ReadModels } from '../../data-access/read-models';
import { applyInOrder } from '../../data-access/apply-in-order';
import type { ReadModelHandlers } from './handlers';

/** user.*: profiles and who follows whom, one document per user (the follower holds the follow). */
export function userHandlers({
  users,
}: ReadModels): Pick<ReadModelHandlers, `user.${string}` & keyof ReadModelHandlers> {
  return {
    'user.created': async (event) => {
      const { id, username, role, bio, image } = event.data;
      await applyInOrder(users, event, {
        create: () => ({ _id: id, username, role, bio, image, following: [], version: 0 }),
      });
    },
    'user.updated': async (event) => {
      const { username, role, bio, image } = event.data;
      await applyInOrder(users, event, { update: { $set: { username, role, bio, image } } });
    },
    'user.followed': async (event) => {
      await applyInOrder(users, event, { update: { $addToSet: { following: event.data.followeeId } } });
    },
    'user.unfollowed': async (event) => {
      await applyInOrder(users, event, { update: { $pull: { following: event.data.followeeId } } });
    },
  };
}
