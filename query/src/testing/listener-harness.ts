import { randomUUID } from 'node:crypto';
import type { PubAck } from '@nats-io/jetstream';
import type { AnyEventEnvelope, EventBus, EventData } from '@postline/common';
import { EventFactory, eventually, publishOutOfOrder, untilDurableConsumed } from '@postline/common/testing';
import { connectBus, startQuery, type QueryUnderTest } from './start-query';

export interface ListenerHarness {
  query: QueryUnderTest;
  bus: EventBus;
  events: EventFactory;
  /** The same event delivered again (a new message id, as after a relay re-publish past JetStream's dedupe window). */
  redeliver(event: AnyEventEnvelope): Promise<void>;
  /** Publishes a post by `author` and resolves with its data once query has it. */
  livePost(author: { id: string; username: string }): Promise<EventData<'post.created'>>;
  /** Resolves once query has handled (and acknowledged) every event published so far. */
  untilSettled(): Promise<void>;
  /**
   * Publishes an event that must wait for a predecessor, and resolves once query has tried it and
   * holds it unacknowledged (not earlier: "nothing applied yet" is then a fact, not a guess).
   */
  publishOutOfOrder(event: AnyEventEnvelope): Promise<PubAck>;
  close(): Promise<void>;
}

/** The query service with a bus to feed it crafted events; retries stay fast but patient enough for reordering tests. */
export async function listenerHarness(): Promise<ListenerHarness> {
  const query = await startQuery({ env: { EVENT_MAX_DELIVERIES: '6', EVENT_RETRY_BASE_MS: '50' } });
  const bus = await connectBus(query.namespace);
  const events = new EventFactory(bus);
  return {
    query,
    bus,
    events,
    redeliver: async (event) => {
      await bus.publish({ ...event, id: randomUUID() });
    },
    livePost: async (author) => {
      const post = events.postCreated(author);
      await events.publish(post);
      await eventually(() => query.models.posts.findOne({ _id: post.data.id }), 10_000, 'the post in query');
      return post.data;
    },
    untilSettled: () => untilDurableConsumed(bus, 'query'),
    publishOutOfOrder: (event) => publishOutOfOrder(bus, query.service, 'query', event),
    close: async () => {
      await bus.close();
      await query.stop();
    },
  };
}
