import type { EventEnvelope, Subject } from '@postline/common';
import type { ChangeLabels } from '../../domain/change-labels';

/**
 * A read-model handler: applies one event, idempotently and in order, or
 * throws RetryLaterError. Returns the labels of the cached answers the event
 * may have changed (announced to every replica, see change-notices.ts); a
 * redelivered event returns them too, since the first delivery may have
 * written and then died before announcing.
 */
export type ReadModelHandler<S extends Subject> = (event: EventEnvelope<S>) => Promise<ChangeLabels>;

export type ReadModelHandlers = { [S in Subject]: ReadModelHandler<S> };
