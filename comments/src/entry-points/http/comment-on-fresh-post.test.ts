import { bearerFor, eventually, testUser } from '@postline/common/testing';
import { Types } from 'mongoose';
import { factory, knownPost, postAuthor } from '../../testing/fixtures';
import { startComments, type CommentsUnderTest } from '../../testing/start-comments';

/**
 * A comment on a post this service has not heard of yet (its post.created still on its way)
 * waits for the post instead of answering 404; an id no post.created ever names gets 404 once
 * REPLICA_WAIT_MS is over. Real database and nats-server; the window is short here.
 */

const REPLICA_WAIT_MS = 2_000;
let app: CommentsUnderTest;

beforeAll(async () => {
  app = await startComments(undefined, { REPLICA_WAIT_MS: String(REPLICA_WAIT_MS) });
});

afterAll(async () => {
  await app.stop();
});

const alice = testUser({ username: 'alice' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function comment(postId: string, body = 'First!') {
  const started = Date.now();
  const res = await app.http.post('/api/comments').set('Authorization', bearerFor(alice)).send({ postId, body });
  return { status: res.status, body: res.body as { id?: string; postId?: string }, ms: Date.now() - started };
}

describe('POST /api/comments on a post not replicated yet', () => {
  it('waits for the post.created on its way and answers 201 once it is applied', async () => {
    const created = factory.postCreated(postAuthor());
    const answer = comment(created.data.id);
    await sleep(300);
    expect(await app.comments.countDocuments({ postId: created.data.id })).toBe(0);
    await app.bus.publish(created);

    const { status, body, ms } = await answer;
    expect(status).toBe(201);
    expect(body.postId).toBe(created.data.id);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(REPLICA_WAIT_MS);
    await app.events.waitFor('comment.created', (e) => e.aggregateId === body.id);
  });

  it('answers every one of many comments waiting for the same post', async () => {
    const created = factory.postCreated(postAuthor());
    const answers = Promise.all(Array.from({ length: 20 }, (_, i) => comment(created.data.id, `Comment ${i}`)));
    await sleep(200);
    await app.bus.publish(created);
    expect((await answers).map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(await app.comments.countDocuments({ postId: created.data.id })).toBe(20);
  });

  it('finds a post another replica of comments recorded (no wake-up here) by reading again', async () => {
    const id = new Types.ObjectId().toHexString();
    const answer = comment(id);
    await sleep(300);
    // What another replica's listener writes, without this process's listener seeing the event.
    await app.posts.create({ _id: id, authorId: new Types.ObjectId().toHexString(), version: 0, deleted: false });
    const { status, ms } = await answer;
    expect(status).toBe(201);
    expect(ms).toBeLessThan(REPLICA_WAIT_MS);
  });

  it('answers comments sent to two replicas of the service, whichever applies the post.created', async () => {
    // A second replica on the same database and durable consumer: the event goes to one of them.
    const other = await startComments(app.namespace, { REPLICA_WAIT_MS: String(REPLICA_WAIT_MS) });
    try {
      for (let round = 0; round < 5; round++) {
        const created = factory.postCreated(postAuthor());
        const answers = Promise.all(
          [app, other, app, other].map((replica) =>
            replica.http
              .post('/api/comments')
              .set('Authorization', bearerFor(alice))
              .send({ postId: created.data.id, body: `Round ${round}` }),
          ),
        );
        await sleep(100);
        await app.bus.publish(created);
        expect((await answers).map((res) => res.status)).toEqual([201, 201, 201, 201]);
      }
    } finally {
      await other.stop();
    }
  });

  it('answers 404 for a fresh id no post.created names, once the wait is over, creating nothing', async () => {
    const id = new Types.ObjectId().toHexString();
    const { status, body, ms } = await comment(id);
    expect({ status, body }).toEqual({ status: 404, body: { errors: [{ message: 'Post not found' }] } });
    expect(ms).toBeGreaterThanOrEqual(REPLICA_WAIT_MS - 10);
    expect(ms).toBeLessThan(REPLICA_WAIT_MS + 1_000);
    expect(await app.comments.countDocuments({ postId: id })).toBe(0);
  });

  it('answers 404 at once for a deleted post, an old id and a malformed one', async () => {
    const oldId = Math.floor(Date.now() / 1000 - 86_400).toString(16) + '0123456789abcdef';
    for (const postId of [oldId, 'not-an-id']) {
      const { status, ms } = await comment(postId);
      expect({ postId, status, fast: ms < 300 }).toEqual({ postId, status: 404, fast: true });
    }
    const post = await knownPost(app);
    await app.bus.publish(factory.postDeleted(post));
    await eventually(async () => (await app.posts.findById(post.id))?.deleted === true, 10_000, 'post deleted');
    const { status, ms } = await comment(post.id);
    expect({ status, fast: ms < 300 }).toEqual({ status: 404, fast: true });
  });
});
