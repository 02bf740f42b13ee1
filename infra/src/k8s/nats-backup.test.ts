import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EventBus, newEvent } from '@postline/common';
import { startNatsWithUsers, type NatsWithUsers } from '@postline/common/testing';
import { pino } from 'pino';
import { installedTool, k8sDir } from './repository';

// The backup Job's snapshot step (overlays/gke/nats-backup.sh) with the real NATS CLI against a
// real nats-server with users, as the tools user, and the README's restore into a new server. The
// upload (gcloud to Cloud Storage) runs only in the cluster.

jest.setTimeout(60_000);

const script = join(k8sDir, 'overlays', 'gke', 'nats-backup.sh');
const logger = pino({ level: 'silent' });
const servers: NatsWithUsers[] = [];
const buses: EventBus[] = [];
let dir: string;

beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'postline-nats-backup-'))));
afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await Promise.all(servers.map((server) => server.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

async function natsServer(): Promise<NatsWithUsers> {
  const server = await startNatsWithUsers('');
  servers.push(server);
  return server;
}

async function busAs(server: NatsWithUsers, user: 'auth' | 'tools'): Promise<EventBus> {
  const bus = await EventBus.connect({ url: server.url, name: user, logger, ...server.credentials(user) });
  buses.push(bus);
  return bus;
}

/** The NATS CLI as the Job runs it: the tools user from the environment. */
function run(server: NatsWithUsers, args: string[]): string {
  const { user, password } = server.credentials('tools');
  const nats = installedTool('nats');
  return execFileSync(args[0] === 'nats' ? nats : args[0]!, args.slice(1), {
    env: {
      PATH: `${dirname(nats)}:${process.env.PATH}`,
      HOME: dir,
      NATS_URL: server.url,
      NATS_USER: user,
      NATS_PASSWORD: password,
    },
    encoding: 'utf8',
    // A failure's message carries its stderr.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

it('snapshots every stream with its events and consumers, which restore into a new server', async () => {
  const source = await natsServer();
  const auth = await busAs(source, 'auth');
  const events = [1, 2, 3].map((n) =>
    newEvent('user.created', {
      producer: 'auth',
      aggregateId: `u${n}`,
      version: 0,
      data: { id: `u${n}`, username: `user${n}`, role: 'user', bio: '', image: '' },
    }),
  );
  for (const event of events) await auth.publish(event);
  const tools = await busAs(source, 'tools');
  await tools.jsm.consumers.add('USERS', { durable_name: 'posts', ack_policy: 'explicit' as never });

  const backup = join(dir, 'backup');
  const output = run(source, ['sh', script, 'snapshot', backup]);
  const streams = tools.names.allStreams().map((s) => s.name);
  for (const stream of streams) expect(output).toContain(`backed up ${stream}`);
  expect(readdirSync(backup).sort()).toEqual([...streams].sort());

  // The README's restore, on a new server before any service starts.
  const target = await natsServer();
  for (const stream of streams) run(target, ['nats', 'stream', 'restore', join(backup, stream), '--no-progress']);
  const restored = await busAs(target, 'tools');
  const info = await restored.jsm.streams.info('USERS');
  expect(info.state.messages).toBe(3);
  expect(info.config.max_age).toBe(0);
  for (const [i, event] of events.entries()) {
    expect((await restored.jsm.streams.getMessage('USERS', { seq: i + 1 }))!.json<{ id: string }>().id).toBe(event.id);
  }
  expect((await restored.jsm.consumers.info('USERS', 'posts')).num_pending).toBe(3);
  // Services start on the restored streams as they are.
  await expect(busAs(target, 'auth')).resolves.toBeDefined();
});

it('fails when there is nothing to back up (an empty or wrong server), so the Job fails and alerts', async () => {
  const empty = await natsServer();
  expect(() => run(empty, ['sh', script, 'snapshot', join(dir, 'none')])).toThrow(/no streams to back up/);
});
