import type { EventListener } from '@postline/common';
import type { AuthorRepository } from '../../data-access/author-repository';
import { authorChange, type UserEvent } from '../../domain/author-replica';

/**
 * user.* → the author replica. Each handler resolves after its write, so the
 * message is acked only once applied; a version gap throws RetryLaterError
 * (redelivered with back-off, dead-lettered after EVENT_MAX_DELIVERIES).
 */
export function registerUserListeners(listener: EventListener, authors: AuthorRepository): void {
  const apply = async (event: UserEvent) => {
    await authors.apply(event, authorChange(event));
  };
  listener.on('user.created', apply).on('user.updated', apply).on('user.followed', apply).on('user.unfollowed', apply);
}
