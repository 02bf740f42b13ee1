import { randomUUID } from 'node:crypto';
import type { AnyEventEnvelope, EventBus } from '@postline/common';
import { EventFactory, eventually } from '@postline/common/testing';
import { connectBus, startQuery, type QueryUnderTest } from './start-query';

export interface ListenerHarness {
  query: QueryUnderTest;
  bus: EventBus;
  events: EventFactory;
  /** The same event delivered again (a new message id, as after a relay re-publish past JetStream's dedupe window). */
  redeliver(event: AnyEventEnvelope): Promise<void>;
  /** Publishes a fresh user and waits until it is applied: everything published before it on the users stream was handled. */
  settleUsers(): Promise<void>;
  settlePosts(): Promise<void>;
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
    settleUsers: async () => {
      const marker = events.userCreated();
      await events.publish(marker);
      await eventually(() => query.models.users.findOne({ _id: marker.data.id }), 10_000, 'users marker');
    },
    settlePosts: async () => {
      const marker = events.postCreated({ id: 'marker', username: 'marker' });
      await events.publish(marker);
      await eventually(() => query.models.posts.findOne({ _id: marker.data.id }), 10_000, 'posts marker');
      await query.models.posts.deleteOne({ _id: marker.data.id });
    },
    close: async () => {
      await bus.close();
      await query.stop();
    },
  };
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
