import { bearerFor, testUser } from '@postline/common/testing';
import { factory, postAuthor } from '../../testing/fixtures';
import { startComments, type CommentsUnderTest } from '../../testing/start-comments';

/**
 * Past HTTP_MAX_IN_FLIGHT requests at once, the service answers 503 with Retry-After at once
 * instead of queueing, and every write it accepted lands. Real database and nats-server; the
 * requests in flight are held by a post not replicated yet (a comment waits for it).
 */

const maxInFlight = 4;
let app: CommentsUnderTest;

beforeAll(async () => {
  app = await startComments(undefined, { HTTP_MAX_IN_FLIGHT: String(maxInFlight), REPLICA_WAIT_MS: '10000' });
});

afterAll(async () => {
  await app.stop();
});

const alice = testUser({ username: 'alice' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sent at once (a supertest request waits for its `then` otherwise). */
async function comment(postId: string, body: string) {
  return await app.http.post('/api/comments').set('Authorization', bearerFor(alice)).send({ postId, body });
}

describe('load shedding', () => {
  it('refuses what is past the limit with 503 and Retry-After, and stores every comment it accepted', async () => {
    const created = factory.postCreated(postAuthor());
    // These wait for the post: the service has `maxInFlight` requests in flight.
    const accepted = Array.from({ length: maxInFlight }, (_, i) => comment(created.data.id, `Held ${i}`));
    await sleep(300);

    const refused = await Promise.all(Array.from({ length: 6 }, (_, i) => comment(created.data.id, `Refused ${i}`)));
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toEqual({ errors: [{ message: expect.stringContaining('busy') }] });
    }

    await app.bus.publish(created);
    const answers = await Promise.all(accepted);
    expect(answers.map((res) => res.status)).toEqual(Array(maxInFlight).fill(201));

    // Their places are free again: the next one is accepted.
    const after = await comment(created.data.id, 'After the load');
    expect(after.status).toBe(201);

    await app.untilSettled();
    const stored = await app.comments.find({ postId: created.data.id }, { body: 1 }).lean();
    expect(stored.map((c) => c.body).sort()).toEqual(['After the load', 'Held 0', 'Held 1', 'Held 2', 'Held 3']);
    const announced = app.events.events.filter(
      (e) => e.subject === 'comment.created' && (e.data as { postId: string }).postId === created.data.id,
    );
    expect(announced.map((e) => e.aggregateId).sort()).toEqual(stored.map((c) => c._id).sort());
  });

  it('counts neither health checks nor refused requests as in flight', async () => {
    const created = factory.postCreated(postAuthor());
    const held = Array.from({ length: maxInFlight }, (_, i) => comment(created.data.id, `Held again ${i}`));
    await sleep(300);
    expect((await app.http.get('/readyz')).status).toBe(200);
    expect((await comment(created.data.id, 'Refused')).status).toBe(503);
    await app.bus.publish(created);
    expect((await Promise.all(held)).map((res) => res.status)).toEqual(Array(maxInFlight).fill(201));
    expect((await comment(created.data.id, 'Accepted')).status).toBe(201);
  });
});
