import type { EventListener } from '@postline/common';
import type { AuthorReplica } from '../../domain/author-replica';

/**
 * user.* → the author replica. Each handler resolves after its write, so the
 * message is acked only once applied; a version gap throws RetryLaterError
 * (redelivered with back-off, dead-lettered after EVENT_MAX_DELIVERIES).
 */
export function registerUserListeners(listener: EventListener, replica: AuthorReplica): void {
  listener
    .on('user.created', async (event) => {
      await replica.applyProfile(event);
    })
    .on('user.updated', async (event) => {
      await replica.applyProfile(event);
    })
    .on('user.followed', async (event) => {
      await replica.applyVersionOnly(event);
    })
    .on('user.unfollowed', async (event) => {
      await replica.applyVersionOnly(event);
    });
}
