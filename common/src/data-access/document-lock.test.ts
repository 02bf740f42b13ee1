import mongoose from 'mongoose';
import { testUrls, uniqueNamespace } from '../testing';
import { withDocumentLock } from './document-lock';

describe('withDocumentLock', () => {
  it('runs work on one document one at a time, in call order', async () => {
    const log: string[] = [];
    const slow = (name: string, ms: number) =>
      withDocumentLock('c', 1, async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
      });
    await Promise.all([slow('a', 30), slow('b', 1), slow('c', 10)]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('lets work on different documents overlap, and survives a failing holder', async () => {
    const log: string[] = [];
    const failing = withDocumentLock('c', 'x', async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    await Promise.all([
      withDocumentLock('c', 'x', async () => {
        log.push('x start');
        await new Promise((r) => setTimeout(r, 20));
        log.push('x end');
      }),
      withDocumentLock('c', 'y', async () => {
        log.push('y');
      }),
    ]);
    expect(log).toEqual(['x start', 'y', 'x end']);
  });

  it('keeps concurrent read-modify-write updates of one document on the test server from losing any', async () => {
    const db = await mongoose.createConnection(`${testUrls().mongoUrl}/${uniqueNamespace()}-lock`).asPromise();
    try {
      const col = db.collection<{ _id: number; n: number }>('counters');
      await col.insertOne({ _id: 1, n: 0 });
      await Promise.all(
        Array.from({ length: 20 }, () =>
          withDocumentLock('counters', 1, () => col.updateOne({ _id: 1 }, { $inc: { n: 1 } })),
        ),
      );
      expect((await col.findOne({ _id: 1 }))?.n).toBe(20);
    } finally {
      await db.close();
    }
  });
});
