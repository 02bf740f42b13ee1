import { randomUUID } from 'node:crypto';
import { bearerFor, eventually, testUser } from '@postline/common/testing';
import { factory, knownPost } from '../../testing/fixtures';
import { startComments, type CommentsUnderTest } from '../../testing/start-comments';

let app: CommentsUnderTest;

beforeAll(async () => {
  app = await startComments(undefined, { EVENT_MAX_DELIVERIES: '6' });
});

afterAll(async () => {
  await app.stop();
});

const alice = testUser({ username: 'alice' });

async function newComment(body = 'hello there') {
  const post = await knownPost(app);
  const res = await app.http
    .post('/api/comments')
    .set('Authorization', bearerFor(alice))
    .send({ postId: post.id, body })
    .expect(201);
  return res.body as { id: string; postId: string };
}

const stored = (id: string) => app.comments.findById(id).lean();
const updatesOf = (id: string) => app.events.of('comment.updated').filter((e) => e.aggregateId === id);

describe('comment.moderated', () => {
  it('approves the judged version: a new version, announced once by comment.updated with status and reason', async () => {
    const comment = await newComment();
    await app.bus.publish(factory.at(0).moderated(comment, 0, 'approved', 'no rule matched'));
    const event = await app.events.waitFor('comment.updated', (e) => e.aggregateId === comment.id);
    expect(event).toMatchObject({
      version: 1,
      data: { status: 'approved', reason: 'no rule matched', body: 'hello there' },
    });
    expect(await stored(comment.id)).toMatchObject({ status: 'approved', reason: 'no rule matched', version: 1 });
    const res = await app.http.get(`/api/comments/${comment.id}`).expect(200); // public once approved
    expect(res.body).toMatchObject({ status: 'approved', reason: 'no rule matched', version: 1 });
  });

  it('rejects with the reason, shown to the author', async () => {
    const comment = await newComment('an orange');
    await app.bus.publish(factory.at(0).moderated(comment, 0, 'rejected', 'blocked word: orange'));
    await eventually(async () => (await stored(comment.id))?.status === 'rejected', 10_000, 'rejected');
    const res = await app.http.get(`/api/comments/${comment.id}`).set('Authorization', bearerFor(alice)).expect(200);
    expect(res.body).toMatchObject({ status: 'rejected', reason: 'blocked word: orange' });
    await app.http.get(`/api/comments/${comment.id}`).expect(404);
  });

  it('has no double effect when delivered twice', async () => {
    const comment = await newComment();
    const decision = factory.at(0).moderated(comment, 0, 'approved');
    await app.bus.publish(decision);
    await app.bus.publish({ ...decision, id: randomUUID() });
    await app.events.waitFor('comment.updated', (e) => e.aggregateId === comment.id);
    await app.untilSettled();
    expect(updatesOf(comment.id)).toHaveLength(1);
    expect(await stored(comment.id)).toMatchObject({ version: 1, status: 'approved' });
  });

  it('never lets a decision about older text approve newer text', async () => {
    const comment = await newComment('first text');
    await app.http
      .put(`/api/comments/${comment.id}`)
      .set('Authorization', bearerFor(alice))
      .send({ body: 'edited text' })
      .expect(200);
    await app.bus.publish(factory.at(0).moderated(comment, 0, 'approved'));
    await app.bus.publish(factory.at(1).moderated(comment, 1, 'rejected', 'links'));
    await eventually(
      async () => (await stored(comment.id))?.status === 'rejected',
      10_000,
      'the decision about version 1',
    );
    await app.untilSettled();
    expect(updatesOf(comment.id).map((e) => [e.version, e.data.status])).toEqual([
      [1, 'pending'],
      [2, 'rejected'],
    ]);
    expect(await app.deadLetters()).toEqual([]);
  });

  it('holds a decision about a version not written yet until that version exists', async () => {
    const comment = await newComment('first text');
    await app.publishOutOfOrder(factory.at(1).moderated(comment, 1, 'approved'));
    expect(await stored(comment.id)).toMatchObject({ version: 0, status: 'pending' });
    await app.http
      .put(`/api/comments/${comment.id}`)
      .set('Authorization', bearerFor(alice))
      .send({ body: 'second text' })
      .expect(200);
    await eventually(async () => (await stored(comment.id))?.status === 'approved', 10_000, 'held decision applied');
    expect(await stored(comment.id)).toMatchObject({ version: 2, body: 'second text' });
  });

  it('acknowledges and ignores a decision about a deleted comment', async () => {
    const comment = await newComment();
    await app.http.delete(`/api/comments/${comment.id}`).set('Authorization', bearerFor(alice)).expect(200);
    await app.bus.publish(factory.at(0).moderated(comment, 1, 'approved'));
    await newComment();
    await app.untilSettled();
    expect(await stored(comment.id)).toMatchObject({ deleted: true, status: 'pending', version: 1 });
    expect(await app.deadLetters()).toEqual([]);
  });
});

describe('an overturned decision', () => {
  const rejection = (comment: { id: string; postId: string }) =>
    factory.at(0).moderated(comment, 0, 'rejected', 'blocked word: orange');
  const overturn = (comment: { id: string; postId: string }) =>
    factory.at(1).moderated(comment, 0, 'approved', 'a fruit, not spam');
  const statuses = (id: string) => updatesOf(id).map((e) => [e.version, e.data.status, e.data.reason]);

  it("applies a moderator's overturn of the rules' rejection: a new version, public once approved", async () => {
    const comment = await newComment('an orange');
    await app.bus.publish(rejection(comment));
    await eventually(async () => (await stored(comment.id))?.status === 'rejected', 10_000, 'rejected');
    await app.http.get(`/api/comments/${comment.id}`).expect(404);
    await app.bus.publish(overturn(comment));
    await eventually(async () => (await stored(comment.id))?.status === 'approved', 10_000, 'overturned');
    await app.untilSettled(); // the outbox's comment.updated recorded too
    expect(statuses(comment.id)).toEqual([
      [1, 'rejected', 'blocked word: orange'],
      [2, 'approved', 'a fruit, not spam'],
    ]);
    const res = await app.http.get(`/api/comments/${comment.id}`).expect(200);
    expect(res.body).toMatchObject({ status: 'approved', reason: 'a fruit, not spam', version: 2 });
  });

  it('ends on the overturn when it arrives first, and has no double effect when both arrive twice', async () => {
    const comment = await newComment('an orange, twice');
    const first = rejection(comment);
    const second = overturn(comment);
    await app.bus.publish(second);
    await app.bus.publish(first);
    await app.bus.publish({ ...second, id: randomUUID() });
    await app.bus.publish({ ...first, id: randomUUID() });
    await eventually(async () => (await stored(comment.id))?.status === 'approved', 10_000, 'overturn applied');
    await app.untilSettled();
    expect(statuses(comment.id)).toEqual([[1, 'approved', 'a fruit, not spam']]);
    expect(await stored(comment.id)).toMatchObject({ version: 1, status: 'approved', moderationVersion: 1 });
    expect(await app.deadLetters()).toEqual([]);
  });

  it('never lets an overturn about older text change newer text', async () => {
    const comment = await newComment('an orange, then edited');
    await app.bus.publish(rejection(comment));
    await eventually(async () => (await stored(comment.id))?.status === 'rejected', 10_000, 'rejected');
    await app.http
      .put(`/api/comments/${comment.id}`)
      .set('Authorization', bearerFor(alice))
      .send({ body: 'a clean text' })
      .expect(200);
    await app.bus.publish(overturn(comment));
    await newComment();
    await app.untilSettled();
    expect(await stored(comment.id)).toMatchObject({ version: 2, status: 'pending', bodyVersion: 2 });
    expect(statuses(comment.id)).toEqual([
      [1, 'rejected', 'blocked word: orange'],
      [2, 'pending', ''],
    ]);
  });
});

describe('poison comment.moderated', () => {
  it('dead-letters an invalid decision and one about an unknown comment, and goes on with the next', async () => {
    const comment = await newComment();
    const invalid = factory.at(0).moderated(comment, 0, 'approved');
    await app.bus.js.publish(
      app.bus.names.wire('comment.moderated'),
      JSON.stringify({ ...invalid, data: { ...invalid.data, status: 'maybe' } }),
    );
    await app.bus.publish(
      factory.at(0).moderated({ id: 'ffffffffffffffffffffffff', postId: comment.postId }, 0, 'approved'),
    );
    await app.bus.publish(factory.at(0).moderated(comment, 0, 'approved'));
    await eventually(async () => (await stored(comment.id))?.status === 'approved', 10_000, 'next message handled');
    const letters = await eventually(
      async () => {
        const found = await app.deadLetters();
        return found.length >= 2 && found;
      },
      15_000,
      'two dead letters',
    );
    expect(letters.map((l) => l.subject)).toEqual(['comment.moderated', 'comment.moderated']);
    expect(letters[0]?.reason).toMatch(/invalid event: data\.status/);
    expect(letters[1]?.reason).toMatch(/unknown/);
  });
});
