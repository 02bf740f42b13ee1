import { randomUUID } from 'node:crypto';
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import { testUrls, uniqueNamespace } from '../testing';
import { OutboxWriter, outboxSchemaFields, type OutboxFields, type OutboxRelay } from '.';

/**
 * `insert` stores a plain object, never a mongoose document: what it stores must still be what
 * `save()` would have stored (cast, defaults, validated), with the event in the outbox, handed
 * to the relay; a taken unique key answers null and stores nothing.
 */
interface Account extends OutboxFields {
  _id: string;
  username: string;
  role: 'user' | 'moderator';
  joinedAt: Date;
  /** Left out: the schema's default. */
  bio?: string;
  /** Left out: the schema's default, null, stored as save() stores it. */
  leftAt?: Date | null;
  revision: number;
}

const published: { id: unknown; outbox: unknown[] }[] = [];
const relay = {
  publishPending: (_model: unknown, id: unknown, outbox: unknown[]) => {
    published.push({ id, outbox });
    return Promise.resolve();
  },
} as unknown as OutboxRelay;

let db: Connection;
let accounts: Model<Account>;
let writer: OutboxWriter<Account>;

beforeAll(async () => {
  db = await mongoose.createConnection(`${testUrls().mongoUrl}/${uniqueNamespace()}-writer`).asPromise();
  accounts = db.model<Account>(
    'Account',
    new Schema<Account>({
      _id: { type: String, required: true },
      username: { type: String, required: true, unique: true },
      role: { type: String, enum: ['user', 'moderator'], required: true },
      joinedAt: { type: Date, required: true },
      bio: { type: String, default: '' },
      leftAt: { type: Date, default: null },
      revision: { type: Number, required: true },
      ...outboxSchemaFields,
    }),
  );
  await accounts.init();
  writer = new OutboxWriter(accounts, 'auth', relay, { revisionField: 'revision' });
});

afterAll(async () => {
  await db?.dropDatabase();
  await db?.close();
});

const account = (username: string) => ({
  _id: randomUUID(),
  username,
  role: 'user' as const,
  // A string where the schema says Date: cast as save() casts it.
  joinedAt: '2026-12-08T01:00:00.000Z' as unknown as Date,
  revision: 0,
});
const created = (id: string, username: string) => ({
  subject: 'user.created' as const,
  data: { id, username, role: 'user' as const, bio: '', image: '' },
});

describe('OutboxWriter.insert', () => {
  it('stores the aggregate cast and with its defaults, the event in its outbox, and hands that to the relay', async () => {
    const fields = account(`ann-${randomUUID()}`);
    const stored = await writer.insert(fields, created(fields._id, fields.username));

    const [event] = stored!.outbox;
    expect(event).toMatchObject({ subject: 'user.created', aggregateId: fields._id, version: 0, producer: 'auth' });
    const expected = { ...fields, joinedAt: new Date(fields.joinedAt), bio: '', leftAt: null, revision: 0, version: 0 };
    expect(stored).toEqual({ ...expected, outbox: [event] });
    expect(await accounts.findById(fields._id).lean()).toEqual({ ...expected, outbox: [event] });
    expect(published.at(-1)).toEqual({ id: fields._id, outbox: [event] });
  });

  it('stores an aggregate without an event at version -1 and publishes nothing', async () => {
    const before = published.length;
    const fields = account(`bob-${randomUUID()}`);
    expect(await writer.insert(fields)).toMatchObject({ version: -1, outbox: [] });
    expect(published).toHaveLength(before);
  });

  it('answers null when a unique index refuses it, and stores nothing', async () => {
    const username = `cy-${randomUUID()}`;
    const first = account(username);
    await writer.insert(first, created(first._id, username));
    const second = account(username);
    expect(await writer.insert(second, created(second._id, username))).toBeNull();
    expect(await accounts.findById(second._id)).toBeNull();
  });

  it('refuses what the schema refuses, as save() does, and stores nothing', async () => {
    const fields = { ...account(`dee-${randomUUID()}`), role: 'admin' as 'user' };
    await expect(writer.insert(fields, created(fields._id, fields.username))).rejects.toThrow(/role/);
    expect(await accounts.findById(fields._id)).toBeNull();
  });
});
