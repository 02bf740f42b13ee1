import mongoose from 'mongoose';
import { pino } from 'pino';
import supertest from 'supertest';
import { EventBus, newEvent, runService } from '@postline/common';
import {
  EventRecorder,
  eventually,
  startNats,
  testServiceEnv,
  uniqueNamespace,
  type LocalServer,
} from '@postline/common/testing';
import { authConfigSchema } from './config';
import { authService } from './service';
import { newAccount } from './testing/start-auth';

const logger = pino({ level: 'silent' });

/** The outbox guarantee: a state change is announced exactly once, whatever happens to NATS or the process. */
describe('user events survive NATS outages and crashes', () => {
  let nats: LocalServer;

  beforeEach(async () => {
    nats = await startNats(); // our own server: this suite stops it
  });

  afterEach(async () => {
    await nats.dispose();
  });

  function authEnv(namespace: string) {
    return authConfigSchema.load(
      testServiceEnv('auth', namespace, { NATS_URL: nats.url, PASSWORD_SCRYPT_COST: '1024' }),
    );
  }

  async function recorder(namespace: string) {
    const bus = await EventBus.connect({ url: nats.url, name: 'recorder', namespace, logger });
    return { bus, events: await new EventRecorder(bus).start(['user']) };
  }

  it('publishes a sign-up made while nats-server is down once it is back, exactly once', async () => {
    const namespace = uniqueNamespace();
    const config = authEnv(namespace);
    const service = await runService(authService(config), config);
    try {
      await nats.stop();
      const account = newAccount('outage');
      const res = await supertest(`http://127.0.0.1:${service.port}`)
        .post('/api/users/signup')
        .send(account)
        .expect(201);
      await supertest(`http://127.0.0.1:${service.port}`).get('/readyz').expect(503);

      await nats.start();
      const { bus, events } = await recorder(namespace);
      try {
        const event = await events.waitFor('user.created', (e) => e.aggregateId === res.body.id, 15_000);
        expect(event.version).toBe(0);
        await eventually(
          async () => (await supertest(`http://127.0.0.1:${service.port}`).get('/readyz')).status === 200,
        );
        await eventually(async () => (await service.context.relay.backlog()).events === 0, 10_000, 'outbox empty');
        await events.caughtUp(); // nothing left to publish, and the recorder has all there is
        expect(events.of('user.created')).toHaveLength(1);
        const stored = await service.context.db.collection('users').findOne({ _id: res.body.id });
        expect(stored?.outbox).toEqual([]);
      } finally {
        events.stop();
        await bus.close();
      }
    } finally {
      await service.stop();
    }
  });

  it('publishes on restart what a process wrote but died before publishing', async () => {
    const namespace = uniqueNamespace();
    const config = authEnv(namespace);
    // The state a crash right after the database write leaves: a user whose event is still in its outbox.
    const db = await mongoose.createConnection(config.mongoUrl).asPromise();
    const id = new mongoose.Types.ObjectId().toHexString();
    const pending = newEvent('user.created', {
      producer: 'auth',
      aggregateId: id,
      version: 0,
      data: { id, username: 'crashed', role: 'user', bio: '', image: '' },
    });
    await db.collection('users').insertOne({
      _id: id as never,
      email: 'crashed@example.test',
      username: 'crashed',
      passwordHash: 'x',
      role: 'user',
      bio: '',
      image: '',
      following: [],
      createdAt: new Date(),
      version: 0,
      outbox: [pending],
    });
    await db.close();

    const service = await runService(authService(config), config);
    const { bus, events } = await recorder(namespace);
    try {
      const event = await events.waitFor('user.created', (e) => e.aggregateId === id);
      expect(event).toEqual(pending);
      await eventually(async () => (await service.context.relay.backlog()).events === 0, 10_000, 'outbox empty');
      await events.caughtUp();
      expect(events.of('user.created')).toHaveLength(1);
    } finally {
      events.stop();
      await bus.close();
      await service.stop();
    }
  });
});
