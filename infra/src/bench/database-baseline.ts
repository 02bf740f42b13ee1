import { performance } from 'node:perf_hooks';
import { MongoClient, ObjectId } from 'mongodb';

export interface OperationCost {
  /** Mean milliseconds per operation, one at a time. */
  sequentialMs: number;
  /** Operations per second with `concurrency` in flight. */
  concurrentPerSecond: number;
}

export interface DatabaseBaseline {
  documents: number;
  concurrency: number;
  insertOne: OperationCost;
  findOneById: OperationCost;
  updateOneById: OperationCost;
  /** find sorted by a date, 20 documents (what a page of the post list needs). */
  findPageOf20: OperationCost;
  countDocuments: OperationCost;
}

export const BASELINE_DATABASE = 'postline-bench-baseline';

/**
 * What the database itself costs, without any Postline code: single-document
 * operations through the official driver against the platform's local MongoDB
 * (mongo-java-server on its journaled memory store, in its own database), one at a time and
 * `concurrency` at a time. Every Postline write and event makes several of
 * these; this is the floor under every figure that touches the database.
 */
export async function measureDatabase(mongoUrl: string, documents = 200, concurrency = 10): Promise<DatabaseBaseline> {
  const url = new URL(mongoUrl);
  url.pathname = `/${BASELINE_DATABASE}`;
  const client = await new MongoClient(url.toString()).connect();
  try {
    const collection = client
      .db()
      .collection<{ _id: ObjectId; title: string; body: string; tags: string[]; createdAt: Date; n: number }>('posts');
    await collection.drop().catch(() => undefined);
    await collection.createIndex({ createdAt: -1 });
    const ids: ObjectId[] = [];
    const doc = (i: number) => ({
      _id: new ObjectId(),
      title: `Baseline post ${i}`,
      body: 'x'.repeat(800),
      tags: ['a', 'b'],
      createdAt: new Date(Date.now() + i),
      n: 0,
    });
    const cost = async (count: number, op: (i: number) => Promise<unknown>): Promise<OperationCost> => {
      let started = performance.now();
      for (let i = 0; i < count; i++) await op(i);
      const sequentialMs = (performance.now() - started) / count;
      started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) await op(next++);
        }),
      );
      const concurrentPerSecond = count / ((performance.now() - started) / 1000);
      return {
        sequentialMs: Math.round(sequentialMs * 100) / 100,
        concurrentPerSecond: Math.round(concurrentPerSecond),
      };
    };
    const insertOne = await cost(documents / 2, async (i) => {
      const d = doc(i);
      ids.push(d._id);
      await collection.insertOne(d);
    });
    const any = (i: number) => ids[i % ids.length]!;
    const findOneById = await cost(documents, (i) => collection.findOne({ _id: any(i) }));
    const updateOneById = await cost(documents, (i) =>
      collection.updateOne({ _id: any(i) }, { $inc: { n: 1 }, $set: { title: `t${i}` } }),
    );
    const findPageOf20 = await cost(documents / 4, () =>
      collection.find({}).sort({ createdAt: -1 }).limit(20).toArray(),
    );
    const countDocuments = await cost(documents / 4, () => collection.countDocuments({}));
    await client
      .db()
      .dropDatabase()
      .catch(() => undefined);
    return { documents: ids.length, concurrency, insertOne, findOneById, updateOneById, findPageOf20, countDocuments };
  } finally {
    await client.close();
  }
}
