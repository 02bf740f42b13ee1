import { randomUUID } from 'node:crypto';
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import { pino } from 'pino';
import { EventBus } from '../events';
import { eventually, startLocalMongo, testUrls, uniqueNamespace, type LocalServer } from '../testing';
import { OutboxRelay, OutboxWriter, outboxSchemaFields, type OutboxFields } from '.';

/**
 * A database that stops answering (frozen here with SIGSTOP: the connection stays open, so the
 * driver waits) must not stop the relay for good: the read or write it waits on is given up after
 * its time, logged, and swept again, and once the database answers every outbox empties.
 */
interface Account extends OutboxFields {
  _id: string;
  username: string;
}

const answerMs = 1_000;
const warnings: string[] = [];
const logger = pino(
  { level: 'warn' },
  {
    write: (line: string) =>
      void warnings.push((JSON.parse(line) as { err?: { message?: string } }).err?.message ?? line),
  },
);

let mongo: LocalServer;
let db: Connection;
let bus: EventBus;
let accounts: Model<Account>;
let relay: OutboxRelay;

beforeAll(async () => {
  // A database of its own: this one is frozen, the one the other suites share must not be.
  mongo = await startLocalMongo({ storage: 'memory' });
  const namespace = uniqueNamespace();
  db = await mongoose.createConnection(`${mongo.url}/${namespace}-relay`).asPromise();
  accounts = db.model<Account>('Account', new Schema({ _id: String, username: String, ...outboxSchemaFields }));
  await accounts.init();
  bus = await EventBus.connect({ url: testUrls().natsUrl, name: 'auth', namespace, logger });
  relay = new OutboxRelay(bus, [accounts], logger, 200, answerMs);
  relay.start();
}, 60_000);

afterAll(async () => {
  mongo?.signal('SIGCONT');
  await relay?.stop();
  await bus?.close();
  await db?.close();
  await mongo?.dispose();
});

const pendingOutboxes = () => accounts.countDocuments({ 'outbox.0': { $exists: true } });

it('gives up a database answer that does not come, and empties every outbox once the database answers', async () => {
  const writer = new OutboxWriter(accounts, 'auth', relay);
  const write = (id: string) =>
    writer.create(
      { _id: id, username: `u${id.slice(0, 6)}` },
      {
        subject: 'user.created',
        data: () => ({ id, username: `u${id.slice(0, 6)}`, role: 'user', bio: '', image: '' }),
      },
    );
  const first = Array.from({ length: 20 }, () => randomUUID());
  // Frozen while the relay publishes and marks what these writes left: its marks get no answer.
  await Promise.all(first.map(write));
  mongo.signal('SIGSTOP');
  await eventually(
    () => warnings.some((w) => /outbox (marks|sweep|read) of accounts.*no answer within 1000 ms/.test(w)),
    15_000,
    'the relay gave up a database answer',
  );
  mongo.signal('SIGCONT');
  const second = Array.from({ length: 5 }, () => randomUUID());
  await Promise.all(second.map(write));
  await eventually(async () => (await pendingOutboxes()) === 0, 20_000, 'every outbox empty');
  expect(await accounts.countDocuments({ _id: { $in: [...first, ...second] } })).toBe(25);
}, 60_000);
