import type { EventEnvelope, Subject } from '@postline/common';

/** A read-model handler: applies one event, idempotently and in order, or throws RetryLaterError. */
export type ReadModelHandler<S extends Subject> = (event: EventEnvelope<S>) => Promise<void>;

export type ReadModelHandlers = { [S in Subject]: ReadModelHandler<S> };
