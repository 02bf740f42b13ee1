import { bearerFor, EventFactory, newId, testUser } from '@postline/common/testing';
import { Types } from 'mongoose';
import { startModeration, type ModerationUnderTest } from '../../testing/start-moderation';

/**
 * A moderator's decision on a comment (or a version of it) moderation has not heard of yet
 * waits for it instead of answering 404 or a wrong 409; what never arrives is answered as
 * before once REPLICA_WAIT_MS is over. Real database and nats-server; the window is short here.
 */

const REPLICA_WAIT_MS = 2_000;
const factory = new EventFactory();
const commenter = { id: newId(), username: 'commenter' };
let app: ModerationUnderTest;

beforeAll(async () => {
  app = await startModeration(undefined, { REPLICA_WAIT_MS: String(REPLICA_WAIT_MS) });
});

afterAll(async () => {
  await app.stop();
});

const moderator = testUser({ username: 'mod', role: 'moderator' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function decide(commentId: string, body: Record<string, unknown>) {
  const started = Date.now();
  const res = await app.http
    .post(`/api/moderation/comments/${commentId}/decision`)
    .set('Authorization', bearerFor(moderator))
    .send(body);
  return { status: res.status, body: res.body as Record<string, unknown>, ms: Date.now() - started };
}

async function recordAt(id: string, commentVersion: number) {
  for (let i = 0; i < 200; i++) {
    if ((await app.records.findById(id).lean())?.commentVersion === commentVersion) return;
    await sleep(25);
  }
  throw new Error(`comment ${id} never reached version ${commentVersion}`);
}

describe('a decision on a comment not replicated yet', () => {
  it('waits for the comment.created on its way and decides it', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'is this a scam?' });
    const answer = decide(created.data.id, { status: 'approved', reason: 'fair' });
    await sleep(300);
    await app.bus.publish(created);

    const { status, body, ms } = await answer;
    expect({ status, body }).toEqual({
      status: 200,
      body: { commentId: created.data.id, commentVersion: 0, status: 'approved', reason: 'fair' },
    });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(REPLICA_WAIT_MS);
    await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
  });

  it('waits for the version the moderator names, when the edit is still on its way', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'scam, first text' });
    await app.bus.publish(created);
    await recordAt(created.data.id, 0);

    const answer = decide(created.data.id, { status: 'rejected', reason: 'spam', commentVersion: 1 });
    await sleep(300);
    await app.bus.publish(factory.at(1).commentUpdated(created.data, { body: 'scam, second text', status: 'pending' }));

    const { status, body } = await answer;
    expect({ status, body }).toEqual({
      status: 200,
      body: { commentId: created.data.id, commentVersion: 1, status: 'rejected', reason: 'spam' },
    });
  });

  it('answers 409 stale once the wait is over, when the named version never arrives', async () => {
    const created = factory.commentCreated(newId(), commenter, { body: 'a scam that is never edited' });
    await app.bus.publish(created);
    await recordAt(created.data.id, 0);
    const { status, body, ms } = await decide(created.data.id, { status: 'approved', reason: 'x', commentVersion: 1 });
    expect({ status, body }).toEqual({
      status: 409,
      body: { errors: [{ field: 'commentVersion', message: 'Version 1 is stale: version 0 awaits review' }] },
    });
    expect(ms).toBeGreaterThanOrEqual(REPLICA_WAIT_MS - 10);
  });

  it('answers 404 for a fresh id no comment.created names, once the wait is over', async () => {
    const { status, body, ms } = await decide(new Types.ObjectId().toHexString(), { status: 'approved', reason: 'x' });
    expect({ status, body }).toEqual({ status: 404, body: { errors: [{ message: 'Comment not found' }] } });
    expect(ms).toBeGreaterThanOrEqual(REPLICA_WAIT_MS - 10);
    expect(ms).toBeLessThan(REPLICA_WAIT_MS + 1_000);
  });

  it('answers 404 at once for an old id and a malformed one', async () => {
    const oldId = Math.floor(Date.now() / 1000 - 86_400).toString(16) + '0123456789abcdef';
    for (const id of [oldId, 'not-an-id']) {
      const { status, ms } = await decide(id, { status: 'approved', reason: 'x' });
      expect({ id, status, fast: ms < 300 }).toEqual({ id, status: 404, fast: true });
    }
  });
});
