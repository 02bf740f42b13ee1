import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BSON, MongoClient, MongoServerError, ObjectId } from 'mongodb';
import { startLocalMongo, type LocalServer } from './local-servers';

/**
 * The local MongoDB's file storage (infra/local/mongo: the memory store, a journal of every
 * write's effect, replayed at start): what was acknowledged is what comes back, after a clean stop,
 * after `kill -9` (from the journal alone), and after the start that compacted it (from the
 * snapshot). Each test compares the whole stored state, documents and indexes, before and after.
 */

type Dump = Record<string, { indexes: object[]; documents: string[] }>;

/** Every user collection's documents (by _id) and index definitions. */
async function dump(client: MongoClient): Promise<Dump> {
  const state: Dump = {};
  const { databases } = await client.db('admin').admin().listDatabases();
  for (const { name } of databases) {
    if (['admin', 'local', 'config'].includes(name)) continue;
    const db = client.db(name);
    for (const { name: collection } of await db.listCollections().toArray()) {
      const documents = (await db.collection(collection).find().toArray())
        .map((d) => BSON.EJSON.stringify(d, { relaxed: false }))
        .sort();
      const indexes = (await db.collection(collection).listIndexes().toArray())
        .map(({ key, name: index, unique, sparse }) => ({ key, name: index, unique, sparse }))
        .sort((a, b) => a.name.localeCompare(b.name));
      state[`${name}.${collection}`] = { indexes, documents };
    }
  }
  return state;
}

const journals = (server: LocalServer) => readdirSync(server.dataDir).filter((f) => /^journal-\d+\.bson$/.test(f));

describe('the local MongoDB on file: the journal', () => {
  let server: LocalServer;
  let client: MongoClient;

  const connect = async () => {
    await client?.close();
    client = await new MongoClient(server.url, { serverSelectionTimeoutMS: 5_000 }).connect();
  };
  const restart = async (how: 'stop' | 'kill') => {
    await client.close();
    await (how === 'kill' ? server.kill() : server.stop());
    await server.start();
    await connect();
  };

  beforeEach(async () => {
    server = await startLocalMongo({ storage: 'file', heapMb: 256 });
    await connect();
  });

  afterEach(async () => {
    await client?.close();
    await server?.dispose();
  });

  it('replays every kind of write after kill -9, and again from the snapshot the next start wrote', async () => {
    const blog = client.db('journal-blog');
    const posts = blog.collection<{ _id: string; slug?: string; n?: number; tags?: string[]; replaced?: Date }>(
      'posts',
    );
    const slugOf = async (_id: string) =>
      (
        await client
          .db('journal-blog')
          .collection('posts')
          .findOne({ _id } as never)
      )?.slug;
    // Commands: collections and indexes made, dropped, renamed.
    await blog.createCollection('explicit');
    await posts.createIndex({ slug: 1 }, { unique: true, sparse: true });
    await posts.createIndex({ n: -1 });
    await posts.createIndex({ tags: 1 });
    await posts.dropIndex('tags_1');
    await blog.collection('doomed').insertOne({ _id: 'x' } as never);
    await blog.collection('doomed').drop();
    await blog.collection('before').insertOne({ _id: 'r', kept: true } as never);
    await blog.collection('before').rename('after');
    await client
      .db('journal-gone')
      .collection('c')
      .insertOne({ _id: 'g' } as never);
    await client.db('journal-gone').dropDatabase();

    // Documents: inserted, updated, upserted, replaced, found-and-modified, deleted.
    await posts.insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: `p${i}`, slug: `s${i}`, n: i })));
    await posts.updateOne({ _id: 'p0' }, { $inc: { n: 10 }, $push: { tags: 'a' } });
    await posts.updateMany({ n: { $lt: 3 } }, { $set: { low: true } });
    await posts.updateOne({ _id: 'up' }, { $set: { n: 99 } }, { upsert: true });
    await posts.replaceOne({ _id: 'p1' }, { slug: 's1', n: 1, replaced: new Date(1_700_000_000_000) });
    await posts.findOneAndUpdate({ _id: 'p2' }, { $set: { found: true } }, { returnDocument: 'after' });
    // An upsert answered with the document before it (none): its _id is not in the answer.
    await posts.findOneAndUpdate({ slug: 'new' }, { $set: { n: 7 } }, { upsert: true, returnDocument: 'before' });
    await posts.findOneAndDelete({ _id: 'p3' });
    await posts.deleteOne({ _id: 'p4' });
    await posts.insertOne({ _id: 'gone', n: -1 });
    await posts.deleteMany({ n: -1 });
    // A multi-document update that fails part way (the second document would take a taken slug):
    // MongoDB keeps what it applied before the failure, and so must a restart.
    await posts.insertMany([
      { _id: 'm1', n: 500 },
      { _id: 'm2', n: 501 },
    ]);
    await expect(posts.updateMany({ n: { $gte: 500 } }, { $set: { slug: 'taken' } })).rejects.toThrow(MongoServerError);
    // A failed insert (duplicate key) changes nothing.
    await expect(posts.insertOne({ _id: 'p0', n: 0 })).rejects.toThrow(MongoServerError);
    // An aggregation writing a collection.
    await posts.aggregate([{ $match: { n: { $gte: 500 } } }, { $out: 'big' }]).toArray();

    const before = await dump(client);
    expect(before['journal-blog.posts']!.documents.length).toBe(7);
    expect(before['journal-blog.big']!.documents.length).toBe(2);
    expect(Object.keys(before)).not.toContain('journal-blog.doomed');
    expect(Object.keys(before)).not.toContain('journal-gone.c');
    // Which of the two came first is the store's order; one of them was changed.
    expect([await slugOf('m1'), await slugOf('m2')].sort()).toEqual(['taken', undefined]);

    await restart('kill');
    expect(await dump(client)).toEqual(before);
    // That start compacted the journal into a snapshot; a second crash restores from the snapshot.
    expect(readdirSync(server.dataDir).some((f) => /^snapshot-\d+\.bson$/.test(f))).toBe(true);
    await restart('kill');
    expect(await dump(client)).toEqual(before);
  });

  it('keeps unique indexes enforced and secondary indexes defined across a clean restart', async () => {
    type User = { _id: ObjectId; email: string; createdAt: Date };
    const users = () => client.db('journal-auth').collection<User>('users');
    await users().createIndex({ email: 1 }, { unique: true });
    await users().createIndex({ createdAt: -1 });
    const ids = Array.from({ length: 50 }, () => new ObjectId());
    await users().insertMany(
      ids.map((_id, i) => ({ _id, email: `u${i}@example.test`, createdAt: new Date(1_700_000_000_000 + i) })),
    );
    const before = await dump(client);

    await restart('stop');
    expect(await dump(client)).toEqual(before);
    const duplicate = await users()
      .insertOne({ _id: new ObjectId(), email: 'u7@example.test', createdAt: new Date() })
      .catch((e) => e);
    expect(duplicate).toBeInstanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).toBe(11000);
    expect(await users().countDocuments()).toBe(50);
    expect((await users().find().sort({ createdAt: -1 }).limit(1).toArray())[0]?._id).toEqual(ids[49]);
  });

  it('ignores a write cut short in the journal (never acknowledged) and keeps appending after it', async () => {
    const notes = () => client.db('journal-torn').collection<{ _id: string }>('notes');
    await notes().insertMany([{ _id: 'a' }, { _id: 'b' }]);
    await client.close();
    await server.kill();
    // What a crash in the middle of a write leaves: the start of a record, no checksum.
    const [journal] = journals(server);
    appendFileSync(join(server.dataDir, journal!), Buffer.from([0x40, 0, 0, 0, 3, 0x6f, 0x70]));
    await server.start();
    await connect();
    await notes().insertOne({ _id: 'c' });
    await restart('kill');
    expect((await notes().find().toArray()).map((n) => n._id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('compacts a grown journal while writes go on, and restores from that snapshot and the journal after it', async () => {
    await client.close();
    await server.dispose();
    server = await startLocalMongo({ storage: 'file', heapMb: 256, compactMb: 1 });
    await connect();
    const pages = () => client.db('journal-compact').collection<{ _id: number; body: string; n: number }>('pages');
    await pages().createIndex({ n: 1 });
    const snapshotsSeen = new Set<string>();
    // About 6 MiB of effects from 4 writers at once: several compactions of a 1 MiB journal.
    await Promise.all(
      Array.from({ length: 4 }, async (_, writer) => {
        for (let i = 0; i < 300; i++) {
          const _id = writer * 1_000 + (i % 100);
          await pages().updateOne(
            { _id },
            { $set: { body: `${writer}/${i} `.repeat(600) }, $inc: { n: 1 } },
            { upsert: true },
          );
          readdirSync(server.dataDir)
            .filter((f) => /^snapshot-\d+\.bson$/.test(f))
            .forEach((f) => snapshotsSeen.add(f));
        }
      }),
    );
    expect(snapshotsSeen.size).toBeGreaterThan(1);
    const before = await dump(client);
    expect(before['journal-compact.pages']!.documents.length).toBe(400);
    await restart('kill');
    expect(await dump(client)).toEqual(before);
  });

  it('keeps every write acknowledged before a kill -9 in the middle of concurrent writes, once', async () => {
    const db = client.db('journal-crash');
    const events = db.collection<{ _id: ObjectId; writer: number; i: number }>('events');
    const counters = db.collection<{ _id: number; n: number }>('counters');
    await events.createIndex({ writer: 1, i: 1 }, { unique: true });
    const acknowledged: { _id: ObjectId }[] = [];
    const increments = new Map<number, { acknowledged: number; sent: number }>();
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      increments.set(writer, { acknowledged: 0, sent: 0 });
      for (let i = 0; !stop; i++) {
        const _id = new ObjectId();
        const count = increments.get(writer)!;
        try {
          await events.insertOne({ _id, writer, i });
          acknowledged.push({ _id });
          count.sent++;
          await counters.updateOne({ _id: writer }, { $inc: { n: 1 } }, { upsert: true });
          count.acknowledged++;
        } catch {
          return; // the database went away mid-write
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1_500));
    await server.kill();
    stop = true;
    await Promise.all(writers);
    await server.start();
    await connect();

    expect(acknowledged.length).toBeGreaterThan(100);
    const stored = await client
      .db('journal-crash')
      .collection('events')
      .find({}, { projection: { _id: 1 } })
      .toArray();
    const storedIds = new Set(stored.map((e) => e._id.toHexString()));
    expect(acknowledged.filter(({ _id }) => !storedIds.has(_id.toHexString()))).toEqual([]);
    // At most the writes in flight at the kill are there unacknowledged (one per writer).
    expect(stored.length - acknowledged.length).toBeLessThanOrEqual(8);
    for (const [writer, { acknowledged: acked, sent }] of increments) {
      const n =
        ((
          await client
            .db('journal-crash')
            .collection('counters')
            .findOne({ _id: writer } as never)
        )?.n as number) ?? 0;
      expect(n).toBeGreaterThanOrEqual(acked);
      expect(n).toBeLessThanOrEqual(sent);
    }
  });
});
