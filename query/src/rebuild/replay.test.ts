import { streamFamilies, type EventBus } from '@postline/common';
import { EventFactory, eventually, uniqueNamespace } from '@postline/common/testing';
import { pino } from 'pino';
import { readModelCollections } from '../data-access/read-models';
import { connectBus, openDatabase, startQuery, type QueryUnderTest } from '../testing/start-query';
import { workload } from '../testing/workload';
import { rebuildReadModels } from './rebuild-read-models';
import { replayMarkerCollection } from './replay-lease';
import type { mongo } from 'mongoose';

/** Every read-model document, sorted, for comparing two databases. */
async function snapshot(db: mongo.Db): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const name of readModelCollections) result[name] = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
  return result;
}

/**
 * The query consumers have delivered and settled every message of every stream. Past JetStream's
 * 30 s ack wait: a message pulled by a replica as it stopped is redelivered only after it.
 */
async function caughtUp(bus: EventBus): Promise<void> {
  await eventually(
    async () => {
      for (const { stream } of streamFamilies) {
        const info = await bus.jsm.consumers.info(bus.names.stream(stream), 'query');
        if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
      }
      return true;
    },
    45_000,
    'query consumers caught up',
  );
}

const dbOf = (q: QueryUnderTest) => q.service.context.db.db!;

describe('the read models and the streams', () => {
  const namespace = uniqueNamespace();
  let bus: EventBus;
  let events: EventFactory;
  let query: QueryUnderTest;
  let live: Record<string, unknown[]>;

  beforeAll(async () => {
    // The stop below may leave events pulled by the stopping replica, redelivered after the 30 s
    // ack wait: the events waiting for them must outlast it (the test default gives up in 0.35 s).
    query = await startQuery({ namespace, env: { EVENT_MAX_DELIVERIES: '11' } });
    bus = await connectBus(namespace);
    events = new EventFactory(bus);
  });
  afterAll(async () => {
    await query.stop();
    await bus.close();
  });

  it('miss nothing while the query service is stopped and started again', async () => {
    const before = workload(events, { users: 4, postsPerUser: 5 });
    await events.publish(...before);
    await query.stop();
    const during = workload(events, { users: 4, postsPerUser: 5 });
    const publishing = events.publish(...during);
    await new Promise((r) => setTimeout(r, 50));
    await query.restart();
    await publishing;
    await caughtUp(bus);
    const postIds = new Set(
      [...before, ...during].filter((e) => e.subject === 'post.created').map((e) => e.aggregateId),
    );
    await eventually(async () => (await query.models.posts.countDocuments({})) === postIds.size, 10_000, 'every post');
    const commentsExpected = [...before, ...during].filter((e) => e.subject === 'comment.created').length;
    // comments of deleted posts are removed; every other comment is there (tombstones included)
    const deletedPosts = new Set(
      [...before, ...during].filter((e) => e.subject === 'post.deleted').map((e) => e.aggregateId),
    );
    const keptComments = [...before, ...during].filter(
      (e) => e.subject === 'comment.created' && !deletedPosts.has((e.data as { postId: string }).postId),
    ).length;
    expect(keptComments).toBeLessThan(commentsExpected);
    await eventually(
      async () => (await query.models.comments.countDocuments({})) === keptComments,
      10_000,
      'every comment',
    );
    await eventually(
      async () => (await query.models.comments.countDocuments({ status: 'pending', deleted: false })) === 0,
      10_000,
      'every decision',
    );
  }, 90_000);

  it('rebuilt from the streams, equal the live ones; the service then goes on from there', async () => {
    await caughtUp(bus);
    live = await snapshot(dbOf(query));
    expect(live.users!.length).toBeGreaterThan(0);
    await query.stop();
    const { db, close } = await openDatabase(query.config.mongoUrl);
    try {
      await db.collection('posts').updateOne({}, { $set: { title: 'tampered' } });
      await rebuildReadModels({
        db,
        bus,
        logger: pino({ level: 'silent' }),
        maxDeliveries: 4,
        concurrency: 32,
        leaseMs: 5_000,
      });
      expect(await snapshot(db)).toEqual(live);
      expect(await db.collection(replayMarkerCollection).findOne({})).toMatchObject({ status: 'complete' });
    } finally {
      await close();
    }
    await query.restart();
    const user = events.userCreated();
    await events.publish(user);
    await eventually(
      () => query.models.users.findOne({ _id: user.data.id }),
      10_000,
      'the next event after the rebuild',
    );
    await caughtUp(bus);
    live = await snapshot(dbOf(query));
    await query.stop();
  });

  it('are replayed into an empty database at start, once, when two replicas start together', async () => {
    const database = `${namespace}-query-fresh`;
    const [one, two] = await Promise.all([startQuery({ namespace, database }), startQuery({ namespace, database })]);
    try {
      expect(await snapshot(dbOf(one))).toEqual(live);
      const marker = await dbOf(one).collection(replayMarkerCollection).findOne({});
      expect(marker).toMatchObject({ status: 'complete' });
      // both replicas share the durable consumers from where the replay ended
      const more = workload(events, { users: 2, postsPerUser: 3 });
      await events.publish(...more);
      await caughtUp(bus);
      const lastPost = more.filter((e) => e.subject === 'post.created').at(-1)!;
      expect(await one.models.posts.findOne({ _id: lastPost.aggregateId })).toBeTruthy();
      expect((await one.http.get('/readyz')).status).toBe(200);
      expect((await two.http.get('/readyz')).status).toBe(200);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });
});
