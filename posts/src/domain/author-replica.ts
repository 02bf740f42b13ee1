import type { EventEnvelope } from '@postline/common';
import type { AuthorRepository, ReplicaOutcome } from '../data-access/author-repository';

/**
 * Keeps the author replica in step with auth's user aggregate. The user's
 * version counts every user event (follows too), so the replica follows all
 * of them in order: profile events set the username, follow events only
 * advance the version. Without that, the first `user.updated` after a follow
 * would look like a gap and wait forever.
 */
export class AuthorReplica {
  constructor(private readonly authors: AuthorRepository) {}

  applyProfile(event: EventEnvelope<'user.created'> | EventEnvelope<'user.updated'>): Promise<ReplicaOutcome> {
    return this.authors.apply(event.aggregateId, event.version, event.data.username);
  }

  applyVersionOnly(event: EventEnvelope<'user.followed'> | EventEnvelope<'user.unfollowed'>): Promise<ReplicaOutcome> {
    return this.authors.apply(event.aggregateId, event.version);
  }
}
