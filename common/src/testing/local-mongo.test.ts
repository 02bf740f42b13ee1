import { MongoClient, ObjectId, type Collection } from 'mongodb';
import { startLocalMongo, type LocalServer } from './local-servers';
import { testUrls, uniqueNamespace } from './test-infrastructure';

/**
 * The local MongoDB's own behaviour where our launcher changes mongo-java-server
 * (infra/local/mongo): a filter naming an indexed field and more (`{_id, version}`)
 * is narrowed by the index, and must still match exactly what MongoDB matches.
 * Both storages: the run's in-memory server and a file-backed one (journal) of this suite's own.
 */
interface Row {
  _id: ObjectId;
  version: number;
  email?: string;
  tag?: string;
}

describe.each(['memory', 'file'] as const)('the local MongoDB (%s): filters narrowed by an index', (storage) => {
  let fileServer: LocalServer | undefined;
  let client: MongoClient;
  let rows: Collection<Row>;
  const [a, b, c] = [new ObjectId(), new ObjectId(), new ObjectId()];

  beforeAll(async () => {
    if (storage === 'file') fileServer = await startLocalMongo({ storage: 'file' });
    client = await new MongoClient(fileServer?.url ?? testUrls().mongoUrl).connect();
    rows = client.db(uniqueNamespace('narrow')).collection<Row>('rows');
    await rows.createIndex({ email: 1 }, { unique: true, sparse: true });
    await rows.insertMany([
      { _id: a, version: 0, email: 'a@example.test', tag: 'x' },
      { _id: b, version: 3, email: 'b@example.test', tag: 'y' },
      { _id: c, version: 3, tag: 'x' },
    ]);
  });

  afterAll(async () => {
    await client?.close();
    await fileServer?.dispose();
  });

  const ids = async (filter: object) => (await rows.find(filter).toArray()).map((row) => row._id.toHexString()).sort();

  it('matches _id with another field like MongoDB: only when both hold', async () => {
    expect(await ids({ _id: b, version: 3 })).toEqual([b.toHexString()]);
    expect(await ids({ _id: b, version: 2 })).toEqual([]);
    expect(await ids({ _id: { $in: [a, b, c] }, version: 3 })).toEqual([b, c].map(String).sort());
    expect(await ids({ _id: a, $or: [{ tag: 'y' }, { version: 0 }] })).toEqual([a.toHexString()]);
    expect(await ids({ _id: a, tag: { $ne: 'x' } })).toEqual([]);
  });

  it('uses a unique secondary index the same way', async () => {
    expect(await ids({ email: 'b@example.test', tag: 'y' })).toEqual([b.toHexString()]);
    expect(await ids({ email: 'b@example.test', tag: 'x' })).toEqual([]);
  });

  it('applies a version-guarded update to the right document only, once', async () => {
    const first = await rows.updateOne({ _id: a, version: 0 }, { $set: { version: 1 } });
    const stale = await rows.updateOne({ _id: a, version: 0 }, { $set: { version: 1 } });
    expect([first.matchedCount, stale.matchedCount]).toEqual([1, 0]);
    const found = await rows.findOneAndUpdate(
      { _id: b, version: 3 },
      { $inc: { version: 1 } },
      { returnDocument: 'after' },
    );
    expect(found?.version).toBe(4);
    expect((await rows.findOne({ _id: c }))?.version).toBe(3);
  });
});
