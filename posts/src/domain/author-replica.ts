import type { DocChange, EventEnvelope } from '@postline/common';
import type { Author } from '../data-access/author-model';

export type UserEvent =
  | EventEnvelope<'user.created'>
  | EventEnvelope<'user.updated'>
  | EventEnvelope<'user.followed'>
  | EventEnvelope<'user.unfollowed'>;

/**
 * What a user event changes in the author replica. The user's version counts every user event
 * (follows too), so the replica follows all of them in order: profile events set the username,
 * follow events only advance the version. Without that, the first `user.updated` after a follow
 * would look like a gap and wait forever.
 */
export function authorChange(event: UserEvent): DocChange<Author> {
  switch (event.subject) {
    case 'user.created':
      return { create: () => ({ _id: event.aggregateId, username: event.data.username, version: 0 }) };
    case 'user.updated':
      return { update: { $set: { username: event.data.username } } };
    case 'user.followed':
    case 'user.unfollowed':
      return { update: {} };
  }
}
