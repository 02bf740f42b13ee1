import { Router } from 'express';
import { pino } from 'pino';
import { loadServiceConfig } from '../config';
import { EventBus } from '../events';
import {
  eventually,
  freePort,
  startLocalMongo,
  startNats,
  testTokenKeys,
  uniqueNamespace,
  EventFactory,
  type LocalServer,
} from '../testing';
import { runService, type RunningService, type ServiceDefinition } from './run-service';

/** A service with a route and a listener, started in-process before its MongoDB and nats-server exist. */
describe('runService waiting for MongoDB and NATS', () => {
  it('stays up naming what it waits for, is ready once they come, and again after each goes away and comes back', async () => {
    const [port, mongoPort, natsPort] = [await freePort(), await freePort(), await freePort()];
    const namespace = uniqueNamespace();
    const config = loadServiceConfig('waiter', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      METRICS_PORT: '0',
      JWT_PUBLIC_KEY: testTokenKeys.publicKey,
      MONGO_URL: `mongodb://127.0.0.1:${mongoPort}/${namespace}`,
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      EVENTS_NAMESPACE: namespace,
    });
    const seen: string[] = [];
    const events = new EventFactory();
    const definition: ServiceDefinition = {
      name: 'waiter',
      prefix: '/api/waiter',
      routes: () => Router().get('/', (_req, res) => void res.json({ seen })),
      listeners: (listener) =>
        listener.on('user.created', async (event) => {
          seen.push(event.aggregateId);
        }),
    };
    const base = `http://127.0.0.1:${port}`;
    const readiness = async () => {
      const res = await fetch(`${base}/readyz`);
      return {
        status: res.status,
        body: (await res.json()) as { checks: Record<string, boolean>; waitingFor?: string[] },
      };
    };
    const mongoWaited = `MongoDB at mongodb://127.0.0.1:${mongoPort}/${namespace} (MONGO_URL)`;
    const natsWaited = `NATS at nats://127.0.0.1:${natsPort} (NATS_URL)`;

    const giveUp = new AbortController();
    const starting = runService(definition, config, { signal: giveUp.signal });
    starting.catch(() => undefined); // awaited below; a failure before that is the test's
    let mongo: LocalServer | undefined;
    let nats: LocalServer | undefined;
    let bus: EventBus | undefined;
    let service: RunningService | undefined;
    try {
      await eventually(async () => (await fetch(`${base}/healthz`)).ok, 10_000, 'healthz');
      expect(await readiness()).toEqual({
        status: 503,
        body: {
          status: 'not ready',
          checks: { mongo: false, nats: false, consumers: false },
          waitingFor: [mongoWaited, natsWaited, 'waiter to start its routes and event consumers'],
        },
      });

      // NATS first: the service says it has NATS and still waits for MongoDB.
      nats = await startNats({ port: natsPort });
      const halfway = await eventually(async () => {
        const r = await readiness();
        return r.body.checks.nats && r;
      }, 20_000);
      expect(halfway).toMatchObject({ status: 503, body: { checks: { mongo: false, nats: true } } });
      expect(halfway.body.waitingFor).toContain(mongoWaited);

      mongo = await startLocalMongo({ port: mongoPort, storage: 'memory', heapMb: 256 });
      service = await starting;
      expect(await readiness()).toEqual({
        status: 200,
        body: { status: 'ready', checks: { mongo: true, nats: true, consumers: true } },
      });
      bus = await EventBus.connect({ url: nats.url, name: 'test', namespace, logger: pino({ level: 'silent' }) });
      const before = events.userCreated();
      await bus.publish(before);
      await eventually(() => seen.includes(before.aggregateId), 10_000, 'an event consumed');

      // NATS goes away: not ready, naming it; back on the same port and data: ready, and consuming.
      await nats.stop();
      const withoutNats = await eventually(async () => {
        const r = await readiness();
        return !r.body.checks.nats && r;
      }, 20_000);
      expect(withoutNats).toMatchObject({ status: 503, body: { waitingFor: expect.arrayContaining([natsWaited]) } });
      await nats.start();
      await eventually(async () => (await readiness()).status === 200, 30_000, 'ready after NATS came back');
      await eventually(() => bus!.isConnected, 10_000, "the test's own connection back");
      const after = events.userCreated();
      await bus.publish(after);
      await eventually(
        () => seen.includes(after.aggregateId),
        20_000,
        'an event published after NATS came back consumed',
      );

      // MongoDB goes away and comes back (its data lost: memory storage; the connection is what is tested).
      await mongo.stop();
      const withoutMongo = await eventually(async () => {
        const r = await readiness();
        return !r.body.checks.mongo && r;
      }, 30_000);
      expect(withoutMongo).toMatchObject({ status: 503, body: { waitingFor: [mongoWaited] } });
      await mongo.start();
      await eventually(async () => (await readiness()).status === 200, 30_000, 'ready after MongoDB came back');
      expect((await fetch(`${base}/api/waiter`)).status).toBe(200);
    } finally {
      giveUp.abort();
      await service?.stop();
      await bus?.close();
      await nats?.dispose();
      await mongo?.dispose();
    }
  }, 120_000);

  it('stops promptly while still waiting, closing its port', async () => {
    const port = await freePort();
    const config = loadServiceConfig('waiter', {
      LOG_LEVEL: 'silent',
      PORT: String(port),
      METRICS_PORT: '0',
      JWT_PUBLIC_KEY: testTokenKeys.publicKey,
      MONGO_URL: `mongodb://127.0.0.1:${await freePort()}/x`,
      NATS_URL: `nats://127.0.0.1:${await freePort()}`,
    });
    const giveUp = new AbortController();
    const starting = runService({ name: 'waiter', prefix: '/api/waiter', routes: () => Router() }, config, {
      signal: giveUp.signal,
    });
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 503, 10_000, 'serving');
    giveUp.abort();
    await expect(starting).rejects.toThrow(/abort/i);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
