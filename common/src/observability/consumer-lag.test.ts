import type { AddressInfo, Server } from 'node:net';
import { pino } from 'pino';
import { EventBus, EventListener, newEvent } from '../events';
import { eventually, testUrls, uniqueNamespace } from '../testing';
import { ServiceMetrics } from './metrics';

// postline_consumer_pending_messages against a real nats-server: what the ConsumerLag alert watches.

const logger = pino({ level: 'silent' });

let bus: EventBus;
let listener: EventListener;
let metrics: ServiceMetrics;
let server: Server;
const handled: string[] = [];

beforeAll(async () => {
  bus = await EventBus.connect({ url: testUrls().natsUrl, name: 'lagging', namespace: uniqueNamespace(), logger });
  listener = new EventListener(bus, { service: 'lagging', logger }).on('user.created', async (event) => {
    handled.push(event.aggregateId);
  });
  metrics = new ServiceMetrics(logger);
  metrics.watchConsumers(bus, listener);
  server = await metrics.serve(0);
});

afterAll(async () => {
  await listener.stop();
  await new Promise((resolve) => server.close(resolve));
  await bus.close();
});

/** The gauge's value for the users stream, scraped over HTTP as Prometheus does. */
async function lag(): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
  const text = await res.text();
  const series = `postline_consumer_pending_messages{stream="${bus.names.stream('USERS')}",consumer="lagging"} `;
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? undefined : Number(line.slice(series.length));
}

const userCreated = (id: string) =>
  newEvent('user.created', {
    producer: 'test',
    aggregateId: id,
    version: 0,
    data: { id, username: `user${id}`, role: 'user', bio: '', image: '' },
  });

it('rises while the consumer is stopped and events arrive, and falls back to 0 once it has caught up', async () => {
  await listener.start(); // creates the durable consumer
  await eventually(async () => (await lag()) === 0, 5_000, 'an idle consumer reported');

  await listener.stop();
  const ids = ['a1', 'a2', 'a3', 'a4', 'a5'];
  for (const id of ids.slice(0, 2)) await bus.publish(userCreated(id));
  expect(await lag()).toBe(2);
  for (const id of ids.slice(2)) await bus.publish(userCreated(id));
  expect(await lag()).toBe(5);
  expect(handled).toEqual([]);

  await listener.start();
  await eventually(async () => (await lag()) === 0, 10_000, 'the consumer caught up');
  expect([...handled].sort()).toEqual(ids);
});
