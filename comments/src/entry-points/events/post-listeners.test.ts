import { bearerFor, eventually, testUser } from '@postline/common/testing';
import { factory, knownPost, postAuthor } from '../../testing/fixtures';
import { startComments, type CommentsUnderTest } from '../../testing/start-comments';

let app: CommentsUnderTest;

beforeAll(async () => {
  // Enough attempts (50 ms doubling: ~1.5 s) for a held-back event to arrive in time.
  app = await startComments(undefined, { EVENT_MAX_DELIVERIES: '6' });
});

afterAll(async () => {
  await app.stop();
});

const alice = testUser({ username: 'alice' });

async function comment(postId: string): Promise<string> {
  const res = await app.http
    .post('/api/comments')
    .set('Authorization', bearerFor(alice))
    .send({ postId, body: 'hello' })
    .expect(201);
  return res.body.id;
}

const replica = (id: string) => app.posts.findById(id).lean();

describe('post.created', () => {
  it('makes the post commentable, and a redelivery changes nothing', async () => {
    const event = factory.postCreated(postAuthor());
    await app.bus.publish(event);
    await eventually(async () => (await replica(event.data.id)) !== null, 10_000, 'post in the replica');
    expect(await replica(event.data.id)).toEqual({
      _id: event.data.id,
      authorId: event.data.authorId,
      version: 0,
      published: true,
      deleted: false,
    });

    // The same event again under a new message id (past JetStream's dedup window), with a different author to be sure.
    await app.bus.publish({ ...event, id: crypto.randomUUID(), data: { ...event.data, authorId: 'someoneelse' } });
    await knownPost(app);
    await app.untilSettled(); // the duplicate handled too (other aggregates are handled concurrently)
    expect(await replica(event.data.id)).toMatchObject({ authorId: event.data.authorId, version: 0 });
    expect(await app.posts.countDocuments({ _id: event.data.id })).toBe(1);
  });
});

describe('post.deleted', () => {
  it("deletes the post's comments, each announced once by comment.deleted, and a redelivery changes nothing", async () => {
    const post = await knownPost(app);
    const ids = [await comment(post.id), await comment(post.id)];
    const other = await knownPost(app);
    const survivor = await comment(other.id);

    const deleted = factory.postDeleted(post);
    await app.bus.publish(deleted);
    for (const id of ids) {
      const event = await app.events.waitFor('comment.deleted', (e) => e.aggregateId === id);
      expect(event).toMatchObject({ version: 1, producer: 'comments', data: { id, postId: post.id } });
    }
    expect(await replica(post.id)).toMatchObject({ deleted: true, version: 1 });
    expect(await app.comments.countDocuments({ postId: post.id, deleted: false })).toBe(0);

    await app.bus.publish({ ...deleted, id: crypto.randomUUID() });
    await knownPost(app);
    await app.untilSettled();
    for (const id of ids) expect(app.events.of('comment.deleted').filter((e) => e.aggregateId === id)).toHaveLength(1);
    expect(await app.comments.findById(survivor)).toMatchObject({ deleted: false });
    await app.http
      .post('/api/comments')
      .set('Authorization', bearerFor(alice))
      .send({ postId: post.id, body: 'late' })
      .expect(404);
  });

  it('waits for post.created when it arrives first, then converges', async () => {
    const created = factory.postCreated(postAuthor());
    await app.publishOutOfOrder(factory.postDeleted(created.data));
    expect(await replica(created.data.id)).toBeNull(); // not applied out of order
    await app.bus.publish(created);
    await eventually(
      async () => (await replica(created.data.id))?.deleted === true,
      10_000,
      'deletion applied after creation',
    );
    expect(await replica(created.data.id)).toMatchObject({ version: 1, deleted: true });
    expect(await app.deadLetters()).toEqual([]);
  });
});

describe('poison post events', () => {
  it('dead-letters an invalid message and one that can never apply, and goes on with the next', async () => {
    const ghost = factory.postCreated(postAuthor());
    await app.bus.js.publish(
      app.bus.names.wire('post.deleted'),
      JSON.stringify({ ...factory.at(1).postDeleted(ghost.data), data: { id: 'x' } }),
    );
    await app.bus.publish(factory.at(1).postDeleted(ghost.data)); // its post.created never comes
    const next = await knownPost(app);
    expect(await replica(next.id)).toMatchObject({ deleted: false });

    const letters = await eventually(
      async () => {
        const found = await app.deadLetters();
        return found.length >= 2 && found;
      },
      15_000,
      'two dead letters',
    );
    expect(letters.map((l) => l.subject)).toEqual(['post.deleted', 'post.deleted']);
    expect(letters[0]?.reason).toMatch(/invalid event: data\.authorId/);
    expect(letters[1]?.reason).toMatch(/not known yet/);
    await comment(next.id); // still served
  });
});
