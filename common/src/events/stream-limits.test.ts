import type { AddressInfo } from 'node:net';
import { DiscardPolicy } from '@nats-io/jetstream';
import { pino } from 'pino';
import { ServiceMetrics } from '../observability';
import { testUrls, uniqueNamespace } from '../testing';
import { EventBus, newEvent } from '.';

// STREAM_MAX_BYTES against the real test nats-server: the history is never aged out, and a stream
// at its size limit refuses new events instead of dropping its oldest.

const logger = pino({ level: 'silent' });
const buses: EventBus[] = [];

afterAll(() => Promise.all(buses.map((bus) => bus.close())));

async function connect(namespace: string, streamMaxBytes?: number): Promise<EventBus> {
  const bus = await EventBus.connect({ url: testUrls().natsUrl, name: 'limits', namespace, logger, streamMaxBytes });
  buses.push(bus);
  return bus;
}

const userCreated = (n: number) =>
  newEvent('user.created', {
    producer: 'test',
    aggregateId: `u${n}`,
    version: 0,
    data: { id: `u${n}`, username: `user${n}`, role: 'user', bio: 'x'.repeat(400), image: '' },
  });

it('creates the streams with the size limit, no age limit, and refusing new events once full', async () => {
  const bus = await connect(uniqueNamespace(), 8 * 1024);
  const users = bus.names.stream('USERS');
  const { config } = await bus.jsm.streams.info(users);
  expect(config).toMatchObject({ max_bytes: 8 * 1024, discard: DiscardPolicy.New, max_age: 0, max_msgs: -1 });

  const first = userCreated(0);
  await bus.publish(first);
  let refused: unknown;
  for (let n = 1; n < 100 && !refused; n++) await bus.publish(userCreated(n)).catch((err: unknown) => (refused = err));
  expect(String(refused)).toMatch(/maximum bytes/i);
  // Nothing was dropped to make room: the first event is still the stream's first.
  expect((await bus.jsm.streams.getMessage(users, { seq: 1 }))!.json<{ id: string }>().id).toBe(first.id);

  // What the PostlineStreamFilling alert reads, scraped as Prometheus does.
  const metrics = new ServiceMetrics(logger);
  metrics.watchStreams(bus);
  const server = await metrics.serve(0);
  const text = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).text();
  server.close();
  const line = text.split('\n').find((l) => l.startsWith(`postline_stream_fill_ratio{stream="${users}"} `));
  const { state } = await bus.jsm.streams.info(users);
  expect(Number(line?.split(' ')[1])).toBeCloseTo(state.bytes / (8 * 1024), 5);
  expect(Number(line?.split(' ')[1])).toBeGreaterThan(0.8);
});

it('puts the limit on streams made before it, keeping their events, and leaves them be when unset', async () => {
  const namespace = uniqueNamespace();
  const before = await connect(namespace);
  const users = before.names.stream('USERS');
  expect((await before.jsm.streams.info(users)).config.max_bytes).toBe(-1);
  const kept = userCreated(1);
  await before.publish(kept);

  const after = await connect(namespace, 1024 * 1024);
  for (const { name } of after.names.allStreams()) {
    expect((await after.jsm.streams.info(name)).config).toMatchObject({
      max_bytes: 1024 * 1024,
      discard: DiscardPolicy.New,
    });
  }
  expect((await after.jsm.streams.getMessage(users, { seq: 1 }))!.json<{ id: string }>().id).toBe(kept.id);

  // A tool without STREAM_MAX_BYTES does not take the limit away.
  const tool = await connect(namespace);
  expect((await tool.jsm.streams.info(users)).config.max_bytes).toBe(1024 * 1024);
});
