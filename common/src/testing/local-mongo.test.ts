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

/**
 * Secondary indexes (infra/local/mongo: OrderedIndex, IndexPlanner). The same
 * seeded random documents go into a collection with Postline-like indexes and
 * into one without any; every query must answer exactly as the scan does (same
 * documents, same order, ties included), with nulls, missing fields, mixed
 * types and arrays, before and after updates, deletes and new array values. And
 * explain must show that the index answered, reading no more than the page.
 */
interface Doc {
  _id: number;
  g?: unknown;
  b?: boolean | null;
  d?: unknown;
  n: number;
  k?: unknown;
  s?: { t?: unknown; by?: string } | null;
}

interface Plan {
  stage: string;
  indexName?: string;
  inputStage?: Plan;
}
interface Explained {
  queryPlanner: { winningPlan: Plan };
  executionStats: { nReturned: number; totalDocsExamined: number };
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function randomFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MISSING = Symbol('missing');
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));

function randomDocs(random: () => number, from: number, count: number, arraysInG: boolean): Doc[] {
  const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)] as T;
  const docs: Doc[] = [];
  for (let i = from; i < from + count; i++) {
    const doc: Doc = { _id: i, n: Math.floor(random() * 5) };
    const g = pick<unknown>([
      'p',
      'q',
      'r',
      null,
      MISSING,
      3,
      3.5,
      true,
      day(2),
      ...(arraysInG ? [['p', 'q'], []] : []),
    ]);
    if (g !== MISSING) doc.g = g;
    const b = pick<unknown>([true, false, null, MISSING]);
    if (b !== MISSING) doc.b = b as boolean | null;
    // Few distinct dates, so sorts meet many ties.
    const d = pick<unknown>([day(1), day(2), day(3), day(4), null, MISSING, 7, 'late']);
    if (d !== MISSING) doc.d = d;
    const k = pick<unknown>([['x', 'y'], ['x', 'x'], [], 'x', 'z', null, MISSING, [null, 'z']]);
    if (k !== MISSING) doc.k = k;
    const s = pick<unknown>([
      { t: day(1), by: 'rules' },
      { t: day(2), by: 'moderator' },
      { by: 'rules' },
      null,
      MISSING,
    ]);
    if (s !== MISSING) doc.s = s as Doc['s'];
    docs.push(doc);
  }
  return docs;
}

describe('the local MongoDB: secondary indexes answer as the scan does', () => {
  let client: MongoClient;
  let indexed: Collection<Doc>;
  let plain: Collection<Doc>;
  const random = randomFrom(20);

  interface Shape {
    filter: object;
    sort?: Record<string, 1 | -1>;
    skip?: number;
    limit?: number;
  }

  const shapes: Shape[] = [
    { filter: { g: 'p' } },
    { filter: { g: 'p' }, sort: { d: -1 }, limit: 5 },
    { filter: { g: 'q' }, sort: { d: 1 }, skip: 3, limit: 4 },
    { filter: { g: null }, sort: { d: -1 } },
    { filter: { g: { $in: ['p', 3, null] } }, sort: { d: -1 }, limit: 7 },
    { filter: { g: 'q', d: { $gte: day(2), $lt: day(4) } }, sort: { d: -1 } },
    { filter: { g: 'r', d: { $gt: day(1) } }, limit: 3 },
    { filter: { g: 3, d: { $lte: 7 } } },
    { filter: { g: { $gt: 2 } }, sort: { n: 1 } },
    { filter: { g: { $lte: 'q' } } },
    { filter: { g: { $eq: true } }, sort: { d: -1, _id: 1 } },
    { filter: { g: 'p', b: true }, sort: { d: -1, _id: -1 }, limit: 10 },
    { filter: { g: 'p', b: false }, sort: { d: 1, _id: 1 }, skip: 2, limit: 3 },
    { filter: { g: 'q', b: { $in: [true, false] } }, sort: { d: -1, _id: -1 }, limit: 4 },
    { filter: { g: 'p', b: null }, sort: { d: -1 } },
    { filter: { g: 'p', n: { $ne: 2 } }, sort: { d: -1, n: 1 }, limit: 6 },
    { filter: { k: 'x' } },
    { filter: { k: 'x' }, sort: { n: 1 }, limit: 3 },
    { filter: { k: null } },
    { filter: { k: { $in: ['y', 'z'] } }, sort: { _id: -1 } },
    { filter: {}, sort: { 's.t': -1, _id: -1 }, limit: 5 },
    { filter: { s: { $ne: null } }, sort: { 's.t': -1, _id: -1 }, skip: 2, limit: 5 },
    { filter: { 's.by': 'rules' }, sort: { 's.t': 1 } },
    { filter: { 's.t': { $lte: day(1) } } },
    { filter: {}, sort: { g: 1 }, limit: 40 },
    { filter: { d: { $gte: day(2) } }, sort: { n: 1 }, limit: 8 },
  ];

  const find = (collection: Collection<Doc>, { filter, sort, skip, limit }: Shape) => {
    let cursor = collection.find(filter);
    if (sort) cursor = cursor.sort(sort);
    if (skip) cursor = cursor.skip(skip);
    if (limit) cursor = cursor.limit(limit);
    return cursor;
  };

  async function expectSameAnswers(): Promise<void> {
    for (const shape of shapes) {
      const [fromIndex, fromScan] = await Promise.all([find(indexed, shape).toArray(), find(plain, shape).toArray()]);
      expect({ shape, answer: fromIndex }).toEqual({ shape, answer: fromScan });
      const [countIndex, countScan] = await Promise.all([
        indexed.countDocuments(shape.filter),
        plain.countDocuments(shape.filter),
      ]);
      expect({ shape, count: countIndex }).toEqual({ shape, count: countScan });
    }
  }

  const explain = async (shape: Shape) => (await find(indexed, shape).explain()) as unknown as Explained;
  const scanOf = (plan: Plan): Plan | undefined =>
    plan.stage === 'IXSCAN' || plan.stage === 'COLLSCAN' ? plan : plan.inputStage && scanOf(plan.inputStage);

  beforeAll(async () => {
    client = await new MongoClient(testUrls().mongoUrl).connect();
    const db = client.db(uniqueNamespace('indexes'));
    indexed = db.collection<Doc>('indexed');
    plain = db.collection<Doc>('plain');
    // Half the documents before the indexes are built, half after: both ways of filling an index.
    const docs = randomDocs(random, 0, 600, false);
    await Promise.all([indexed.insertMany(docs.slice(0, 300)), plain.insertMany(docs.slice(0, 300))]);
    await indexed.createIndex({ g: 1, d: -1 });
    await indexed.createIndex({ g: 1, b: 1, d: -1, _id: -1 });
    await indexed.createIndex({ k: 1 });
    await indexed.createIndex({ 's.t': -1 });
    await Promise.all([indexed.insertMany(docs.slice(300)), plain.insertMany(docs.slice(300))]);
  });

  afterAll(async () => {
    await client?.close();
  });

  it('answers every shape as the scan does', async () => {
    await expectSameAnswers();
  });

  it('reads a sorted page from the index and stops at the limit', async () => {
    const page = await explain({ filter: { g: 'p', b: true }, sort: { d: -1, _id: -1 }, limit: 10 });
    expect(page.queryPlanner.winningPlan.stage).toBe('FETCH');
    expect(scanOf(page.queryPlanner.winningPlan)?.indexName).toBe('g_1_b_1_d_-1__id_-1');
    expect(page.executionStats.nReturned).toBe(10);
    expect(page.executionStats.totalDocsExamined).toBeLessThanOrEqual(11);

    const backwards = await explain({ filter: { g: 'q' }, sort: { d: 1 }, limit: 3 });
    expect(scanOf(backwards.queryPlanner.winningPlan)).toMatchObject({ indexName: 'g_1_d_-1', direction: 'backward' });
    expect(backwards.queryPlanner.winningPlan.stage).toBe('FETCH');

    const wholeIndex = await explain({ filter: {}, sort: { 's.t': -1, _id: -1 }, limit: 5 });
    expect(scanOf(wholeIndex.queryPlanner.winningPlan)?.indexName).toBe('s.t_-1');
    expect(wholeIndex.executionStats.totalDocsExamined).toBeLessThan(600);
  });

  it('takes equality and ranges from the index, arrays included, and counts from it', async () => {
    const equal = await explain({ filter: { k: 'x' } });
    expect(scanOf(equal.queryPlanner.winningPlan)?.indexName).toBe('k_1');
    const all = await plain.countDocuments({ k: 'x' });
    expect(equal.executionStats.totalDocsExamined).toBe(all);

    const range = await explain({ filter: { g: 'q', d: { $gte: day(2), $lt: day(4) } } });
    expect(scanOf(range.queryPlanner.winningPlan)?.indexName).toBe('g_1_d_-1');
    expect(range.executionStats.totalDocsExamined).toBe(range.executionStats.nReturned);

    const counted = (await indexed
      .aggregate([{ $match: { g: 'p', b: true } }, { $group: { _id: 1, n: { $sum: 1 } } }])
      .explain()) as unknown as { stages: { $cursor: Explained }[] };
    const cursor = counted.stages[0]?.$cursor;
    if (!cursor) throw new Error(`no $cursor stage in ${JSON.stringify(counted)}`);
    expect(scanOf(cursor.queryPlanner.winningPlan)?.indexName).toMatch(/^g_1_/);
    expect(cursor.executionStats.totalDocsExamined).toBe(await plain.countDocuments({ g: 'p', b: true }));
  });

  it('picks the index that reads the fewest keys', async () => {
    const picked = client
      .db(uniqueNamespace('pick'))
      .collection<{ _id: number; kind: string; slug: string; author: string; at: number }>('posts');
    await picked.createIndex({ kind: 1, at: -1 });
    await picked.createIndex({ slug: 1 });
    await picked.createIndex({ author: 1, kind: 1, at: -1 });
    await picked.insertMany(
      Array.from({ length: 500 }, (_, i) => ({ _id: i, kind: 'post', slug: `s${i}`, author: `a${i % 100}`, at: i })),
    );
    const bySlug = (await picked.find({ kind: 'post', slug: 's7' }).limit(1).explain()) as unknown as Explained;
    expect(scanOf(bySlug.queryPlanner.winningPlan)?.indexName).toBe('slug_1');
    expect(bySlug.executionStats.totalDocsExamined).toBe(1);
    // Newest first through {kind, at} would walk most posts to find two authors' five.
    const twoAuthors = { author: { $in: ['a1', 'a2'] }, kind: 'post' };
    const page = (await picked.find(twoAuthors).sort({ at: -1 }).limit(5).explain()) as unknown as Explained;
    expect(scanOf(page.queryPlanner.winningPlan)?.indexName).toBe('author_1_kind_1_at_-1');
    expect(page.executionStats.totalDocsExamined).toBe(10);
    expect((await picked.find(twoAuthors).sort({ at: -1 }).limit(5).toArray()).map((p) => p._id)).toEqual([
      402, 401, 302, 301, 202,
    ]);
  });

  it('falls back to the scan where no index applies', async () => {
    const scan = await explain({ filter: { d: { $gte: day(2) } }, sort: { n: 1 }, limit: 8 });
    expect(scanOf(scan.queryPlanner.winningPlan)?.stage).toBe('COLLSCAN');
    // null on an array field also matches arrays holding null: the multikey index gives no bounds.
    const nullOnArrays = await explain({ filter: { k: null } });
    expect(scanOf(nullOnArrays.queryPlanner.winningPlan)?.stage).toBe('COLLSCAN');
  });

  it('keeps answering as the scan after updates, deletes, replacements and new arrays', async () => {
    const both = async (change: (collection: Collection<Doc>) => Promise<unknown>) => {
      await change(indexed);
      await change(plain);
    };
    await both((c) => c.updateMany({ g: 'p', b: true }, { $set: { g: 'r', d: day(3) } }));
    await both((c) => c.updateMany({ k: 'x' }, { $set: { k: ['x', 'w'] } }));
    await both((c) => c.updateOne({ _id: 5 }, { $unset: { s: '' } }));
    await both((c) => c.replaceOne({ _id: 6 }, { n: 9, g: 'q', d: day(9), k: ['q', 'x'] }));
    await both((c) => c.findOneAndUpdate({ g: 'q' }, { $set: { g: 'p' } }, { sort: { d: -1 } }));
    await both((c) => c.deleteMany({ k: 'y' }));
    await both((c) => c.findOneAndDelete({ g: 'r' }, { sort: { d: 1 } }));
    await expectSameAnswers();

    // Arrays in g make its indexes multikey: a sort on g no longer comes from them (MongoDB sorts
    // an array by its least or greatest element), an equality on g still does; answers stay the scan's.
    const byG = { filter: {}, sort: { g: 1 as const }, limit: 40 };
    expect(scanOf((await explain(byG)).queryPlanner.winningPlan)?.stage).toBe('IXSCAN');
    const more = randomDocs(random, 1000, 300, true);
    await Promise.all([indexed.insertMany(more), plain.insertMany(more)]);
    await expectSameAnswers();
    expect(scanOf((await explain(byG)).queryPlanner.winningPlan)?.stage).toBe('COLLSCAN');
    const sortedPage = await explain({ filter: { g: 'p' }, sort: { d: -1 }, limit: 5 });
    expect(sortedPage.queryPlanner.winningPlan.stage).toBe('FETCH');
    expect(scanOf(sortedPage.queryPlanner.winningPlan)?.indexName).toMatch(/^g_1_/);
  });

  // An update that leaves an index's keys as they were keeps its entries (no rewrite), but a value
  // that became an array of itself has the same keys and still makes the index multikey.
  it('keeps the keys an update left alone, and turns multikey on a value that became an array', async () => {
    const rows = client.db(uniqueNamespace('same-keys')).collection<Doc>('rows');
    await rows.createIndex({ g: 1 });
    await rows.insertMany([
      { _id: 1, n: 1, g: 'b' },
      { _id: 2, n: 2, g: 'a' },
      { _id: 3, n: 3, g: 'c' },
    ]);
    const byG = () => rows.find({}).sort({ g: 1 }).limit(3);
    const scanOfByG = async () => scanOf(((await byG().explain()) as unknown as Explained).queryPlanner.winningPlan);

    await rows.updateOne({ _id: 2 }, { $set: { n: 20 } });
    await rows.updateOne({ _id: 3 }, { $set: { g: 'a' } });
    expect(await byG().toArray()).toEqual([
      { _id: 2, n: 20, g: 'a' },
      { _id: 3, n: 3, g: 'a' },
      { _id: 1, n: 1, g: 'b' },
    ]);
    expect((await scanOfByG())?.stage).toBe('IXSCAN');

    await rows.updateOne({ _id: 1 }, { $set: { g: ['b'] } });
    expect(await rows.find({ g: 'b' }).toArray()).toEqual([{ _id: 1, n: 1, g: ['b'] }]);
    expect((await scanOfByG())?.stage).toBe('COLLSCAN');
  });
});
