import { pino } from 'pino';
import { EventBus } from '@postline/common';
import { bearerFor, EventRecorder, eventually, startNats, testUser, type LocalServer } from '@postline/common/testing';
import { startPosts, type PostsUnderTest } from '../testing/start-posts';

const author = testUser({ username: 'faulty' });
const auth = ['Authorization', bearerFor(author)] as const;
const logger = pino({ level: 'silent' });

async function recorderFor(url: string, namespace: string) {
  const bus = await EventBus.connect({ url, name: 'fault-recorder', namespace, logger });
  return { bus, events: await new EventRecorder(bus).start(['post']) };
}

const pendingOf = async (posts: PostsUnderTest, id: string) =>
  ((await posts.posts.findById(id).lean())?.outbox ?? []).length;

describe('a post written while nats-server is down', () => {
  let nats: LocalServer;
  let posts: PostsUnderTest;

  beforeAll(async () => {
    nats = await startNats(); // our own: the shared one stays up for everyone else
    posts = await startPosts({ overrides: { NATS_URL: nats.url } });
  });

  afterAll(async () => {
    await posts?.stop();
    await nats?.dispose();
  });

  it('is published exactly once after it comes back', async () => {
    await nats.stop();
    await eventually(() => !posts.service.context.bus.isConnected, 5_000, 'service sees NATS gone');

    const res = await posts.http
      .post('/api/posts')
      .set(...auth)
      .send({ title: 'Written in the dark', body: 'x' })
      .expect(201);
    const id = res.body.id as string;
    // Kept in the document, not lost: with NATS away nothing can take it out (losing it would also fail the count below).
    expect(await pendingOf(posts, id)).toBe(1);

    await nats.start();
    const { bus, events } = await recorderFor(nats.url, posts.namespace);
    try {
      const event = await events.waitFor('post.created', (e) => e.aggregateId === id, 15_000);
      expect(event).toMatchObject({ version: 0, data: { title: 'Written in the dark' } });
      await eventually(async () => (await pendingOf(posts, id)) === 0, 10_000, 'outbox drained');
      await events.caughtUp(); // the outbox is empty: nothing more can come, and the recorder has all there is
      expect(events.events.filter((e) => e.aggregateId === id)).toHaveLength(1);
    } finally {
      events.stop();
      await bus.close();
    }
  }, 60_000);
});

describe('a service killed between its database write and its publish', () => {
  it('publishes the pending events once, in version order, when a fresh instance starts', async () => {
    const first = await startPosts();
    let second: PostsUnderTest | undefined;
    try {
      const res = await first.http
        .post('/api/posts')
        .set(...auth)
        .send({ title: 'Interrupted', body: 'x' })
        .expect(201);
      const id = res.body.id as string;
      await first.events.waitFor('post.created', (e) => e.aggregateId === id);

      // The "kill": the service's NATS connection is gone after the writes
      // commit and before anything is published.
      await first.service.context.bus.close();
      await first.http
        .put(`/api/posts/${id}`)
        .set(...auth)
        .send({ body: 'edited' })
        .expect(200);
      await first.http.post(`/api/posts/${id}/like`).set('Authorization', bearerFor(testUser())).expect(200);
      await first.http
        .delete(`/api/posts/${id}`)
        .set(...auth)
        .expect(200);
      await first.events.caughtUp(); // the service's connection is closed: the stream holds all it published
      const stored = await first.posts.findById(id).lean();
      expect(stored).toMatchObject({ version: 3, deletedAt: expect.any(Date) });
      expect(stored?.outbox.map((e) => e.version)).toEqual([1, 2, 3]);
      expect(first.events.events.filter((e) => e.aggregateId === id)).toHaveLength(1);
      await first.service.stop();

      second = await startPosts({ namespace: first.namespace });
      await first.events.waitFor('post.deleted', (e) => e.aggregateId === id);
      await eventually(async () => (await pendingOf(second!, id)) === 0, 5_000, 'outbox drained');
      await second.untilSettled();
      await first.events.caughtUp();
      const published = first.events.events.filter((e) => e.aggregateId === id).map((e) => [e.subject, e.version]);
      expect(published).toEqual([
        ['post.created', 0],
        ['post.updated', 1],
        ['post.liked', 2],
        ['post.deleted', 3],
      ]);
    } finally {
      await second?.stop();
      await first.stop();
    }
  }, 60_000);
});

describe('many posts written at once', () => {
  it('publishes each once and empties every outbox, marking them in fewer writes than posts', async () => {
    const posts = await startPosts();
    const updateMany = jest.spyOn(posts.posts.collection, 'updateMany');
    try {
      const count = 30;
      const ids = await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const res = await posts.http
            .post('/api/posts')
            .set(...auth)
            .send({ title: `At once ${i}`, body: 'x' })
            .expect(201);
          return res.body.id as string;
        }),
      );
      for (const id of ids) await posts.events.waitFor('post.created', (e) => e.aggregateId === id);
      await eventually(
        async () => (await posts.posts.countDocuments({ _id: { $in: ids }, 'outbox.0': { $exists: true } })) === 0,
        5_000,
        'every outbox emptied',
      );
      await posts.untilSettled();
      expect(posts.events.events.filter((e) => ids.includes(e.aggregateId))).toHaveLength(count);
      expect(updateMany.mock.calls.length).toBeGreaterThan(0);
      expect(updateMany.mock.calls.length).toBeLessThan(count);
    } finally {
      updateMany.mockRestore();
      await posts.stop();
    }
  }, 60_000);
});
