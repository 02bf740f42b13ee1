import type { EventData, Subject } from '../../events/catalogue';
import { EventsConnection, type EventsConnectionOptions } from './connection';
import {
  discardDeadLetter,
  listDeadLetters,
  retryDeadLetter,
  type DeadLetterRetry,
  type StoredDeadLetter,
} from './dead-letters';
import type { EventInput } from './event-input';
import { publishEvents, type PublishDefaults, type PublishResult } from './publish-events';
import { listConsumers, listStreams, type ConsumerSummary, type StreamSummary } from './stream-stats';
import { tailEvents, type EventTail, type TailOptions } from './tail-events';

export interface PublishOptions {
  /** Defaults to the id the owning service would use (`data.id`, `data.commentId`, ...). */
  aggregateId?: string;
  /** Defaults to one more than the aggregate's latest version in its stream (0 for a new aggregate). */
  version?: number;
  /** Defaults to `postline-events`. */
  producer?: string;
  id?: string;
  occurredAt?: string;
}

/**
 * Postline's events from a script, the way the services see them: publish
 * catalogue events, follow the streams, read the services' consumer state and
 * handle dead letters. The `postline-events` CLI is a thin layer over this.
 *
 *     const events = await EventsClient.connect({ namespace: 'dev' });
 *     const { seq } = await events.publish('comment.moderated', { ... });
 *     await events.close();
 */
export class EventsClient {
  private constructor(readonly connection: EventsConnection) {}

  /** Connects to `server` (default NATS_URL, then nats://127.0.0.1:4222) in `namespace` (default EVENTS_NAMESPACE). */
  static async connect(options: EventsConnectionOptions = {}): Promise<EventsClient> {
    return new EventsClient(await EventsConnection.open(options));
  }

  get server(): string {
    return this.connection.server;
  }

  get namespace(): string {
    return this.connection.namespace;
  }

  /** Validates the payload against the catalogue (InvalidEventError naming the field), publishes, awaits the ack. */
  async publish<S extends Subject>(
    subject: S,
    data: EventData<S>,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    const [result] = await publishEvents(this.connection, [{ ...options, subject, data }]);
    return result!;
  }

  /** Several events, all validated before any is published; inputs without a subject take `defaults.subject`. */
  publishAll(inputs: EventInput[], defaults: PublishDefaults = {}): Promise<PublishResult[]> {
    return publishEvents(this.connection, inputs, defaults);
  }

  tail(pattern = '>', options: TailOptions = {}): Promise<EventTail> {
    return tailEvents(this.connection, pattern, options);
  }

  streams(): Promise<StreamSummary[]> {
    return listStreams(this.connection);
  }

  consumers(): Promise<ConsumerSummary[]> {
    return listConsumers(this.connection);
  }

  deadLetters(filter: { service?: string } = {}): Promise<StoredDeadLetter[]> {
    return listDeadLetters(this.connection, filter);
  }

  retryDeadLetter(seq: number): Promise<DeadLetterRetry> {
    return retryDeadLetter(this.connection, seq);
  }

  discardDeadLetter(seq: number): Promise<void> {
    return discardDeadLetter(this.connection, seq);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
