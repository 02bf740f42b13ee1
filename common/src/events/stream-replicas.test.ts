import { Writable } from 'node:stream';
import { pino } from 'pino';
import { eventually, freePort, startNats, uniqueNamespace, type LocalServer } from '../testing';
import { EventBus, newEvent } from '.';

// STREAM_REPLICAS against a real three-server JetStream cluster (nats-server with routes), as on
// GKE: the streams of a platform that started on one replica are raised when the setting says three.

jest.setTimeout(90_000);

const servers: LocalServer[] = [];
const buses: EventBus[] = [];
const logLines: { msg: string; stream?: string }[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()) as { msg: string; stream?: string });
      done();
    },
  }),
);

beforeAll(async () => {
  const routes = [await freePort(), await freePort(), await freePort()];
  const name = uniqueNamespace('cluster');
  for (const port of routes) servers.push(await startNats({ cluster: { name, port, routes } }));
});

afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await Promise.all(servers.map((server) => server.dispose()));
});

const url = () => servers.map((server) => server.url).join(',');

async function connect(namespace: string, streamReplicas?: number): Promise<EventBus> {
  // The first connection waits for the cluster to elect its JetStream leader.
  const bus = await eventually(
    () => EventBus.connect({ url: url(), name: 'replicas-test', namespace, logger, streamReplicas }),
    30_000,
    'JetStream cluster ready',
  );
  buses.push(bus);
  return bus;
}

const replicasOf = async (bus: EventBus, stream: string) => {
  const info = await bus.jsm.streams.info(stream);
  return { configured: info.config.num_replicas, peers: 1 + (info.cluster?.replicas?.length ?? 0), info };
};

it('raises existing streams from 1 to 3 replicas, keeping their events, and leaves them be when unset', async () => {
  // Different namespaces would make different streams: the same one, as a cluster upgrade keeps it.
  const namespace = uniqueNamespace();
  const before = await connect(namespace, 1);
  const users = before.names.stream('USERS');
  const streams = before.names.allStreams().map((s) => s.name);
  for (const stream of streams) expect((await replicasOf(before, stream)).configured).toBe(1);
  const event = newEvent('user.created', {
    producer: 'test',
    aggregateId: 'u1',
    version: 0,
    data: { id: 'u1', username: 'kept', role: 'user', bio: '', image: '' },
  });
  await before.publish(event);

  // A service restarted with STREAM_REPLICAS=3.
  const after = await connect(namespace, 3);
  for (const stream of streams) {
    // The cluster applies the change a moment after the update's answer; the two new peers catch up.
    await eventually(
      async () => {
        const { configured, peers, info } = await replicasOf(after, stream);
        const current = info.cluster?.replicas?.filter((peer) => peer.current).length ?? 0;
        if (configured === 3 && peers === 3 && current === 2) return true;
        // Named in the failure: which part of the change had not happened.
        const refused = logLines.filter((l) => l.stream === stream && l.msg !== 'stream settings changed');
        throw new Error(
          `configured ${configured}, peers ${peers}, current followers ${current}; log: ${JSON.stringify(refused)}`,
        );
      },
      30_000,
      `${stream} on three current servers`,
    );
  }
  expect(logLines.filter((l) => l.msg === 'stream settings changed').map((l) => l.stream)).toEqual(streams);
  const kept = await after.jsm.streams.getMessage(users, { seq: 1 });
  expect(kept?.json<{ id: string }>().id).toBe(event.id);

  // An operator tool (no STREAM_REPLICAS) does not take them back down.
  const tool = await connect(namespace);
  expect((await replicasOf(tool, users)).configured).toBe(3);
});

it('starts anyway when the replicas cannot be changed, logging why (tried again at the next start)', async () => {
  const namespace = uniqueNamespace();
  await connect(namespace, 1);
  logLines.length = 0;
  // Five replicas on three servers: JetStream refuses the update.
  const bus = await connect(namespace, 5);
  const users = bus.names.stream('USERS');
  expect((await replicasOf(bus, users)).configured).toBe(1);
  expect(logLines.filter((l) => l.msg.startsWith('could not change the stream settings')).length).toBe(
    bus.names.allStreams().length,
  );
});
