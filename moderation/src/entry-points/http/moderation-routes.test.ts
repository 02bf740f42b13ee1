import { bearerFor, EventFactory, eventually, newId, testUser } from '@postline/common/testing';
import { startModeration, type ModerationUnderTest } from '../../testing/start-moderation';

const factory = new EventFactory();
const commenter = { id: newId(), username: 'commenter' };
let app: ModerationUnderTest;

beforeAll(async () => {
  app = await startModeration();
});

afterAll(async () => {
  await app.stop();
});

const moderator = testUser({ username: 'mod', role: 'moderator' });
const user = testUser({ username: 'plain' });
const decisionsAbout = (commentId: string) =>
  app.events.of('comment.moderated').filter((e) => e.data.commentId === commentId);

/** Publishes a borderline comment and waits until it is in the queue. */
async function queued(body = 'is this a scam?') {
  const created = factory.commentCreated(newId(), commenter, { body });
  await app.bus.publish(created);
  await eventually(
    async () => (await app.records.findById(created.data.id).lean())?.awaitingReview,
    10_000,
    'comment queued',
  );
  return created;
}

function decide(commentId: string, body: Record<string, unknown>, who = moderator) {
  return app.http
    .post(`/api/moderation/comments/${commentId}/decision`)
    .set('Authorization', bearerFor(who))
    .send(body);
}

describe('GET /api/moderation/queue', () => {
  it('lists the comments awaiting review, oldest first, to moderators', async () => {
    const first = await queued('scam one');
    const second = await queued('two links https://a.example https://b.example');
    const res = await app.http.get('/api/moderation/queue').set('Authorization', bearerFor(moderator)).expect(200);
    const mine = res.body.items.filter((i: { commentId: string }) =>
      [first.data.id, second.data.id].includes(i.commentId),
    );
    expect(mine).toEqual([
      {
        commentId: first.data.id,
        postId: first.data.postId,
        authorUsername: 'commenter',
        body: 'scam one',
        commentVersion: 0,
        flags: ['review word: scam'],
        createdAt: expect.any(String),
      },
      expect.objectContaining({ commentId: second.data.id, flags: ['links: 2'] }),
    ]);
    const limited = await app.http
      .get('/api/moderation/queue?limit=1')
      .set('Authorization', bearerFor(moderator))
      .expect(200);
    expect(limited.body.items).toHaveLength(1);
  });

  it('answers 401 signed out, 403 to a non-moderator, 400 for a bad limit or an unknown parameter', async () => {
    expect((await app.http.get('/api/moderation/queue').expect(401)).body).toEqual({
      errors: [{ message: 'Not signed in' }],
    });
    await app.http.get('/api/moderation/queue').set('Authorization', bearerFor(user)).expect(403);
    const bad = await app.http
      .get('/api/moderation/queue?limit=0')
      .set('Authorization', bearerFor(moderator))
      .expect(400);
    expect(bad.body).toEqual({ errors: [{ field: 'limit', message: 'Limit must be a whole number from 1 to 100' }] });
    const unknown = await app.http
      .get('/api/moderation/queue?status=all')
      .set('Authorization', bearerFor(moderator))
      .expect(400);
    expect(unknown.body).toEqual({ errors: [{ field: 'status', message: 'Unknown field' }] });
  });
});

describe('POST /api/moderation/comments/:id/decision', () => {
  it('decides the queued version: one comment.moderated with its versions, and out of the queue', async () => {
    const created = await queued();
    const res = await decide(created.data.id, { status: 'approved', reason: '  Fair criticism  ' }).expect(200);
    expect(res.body).toEqual({
      commentId: created.data.id,
      commentVersion: 0,
      status: 'approved',
      reason: 'Fair criticism',
    });
    const event = await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
    expect(event).toMatchObject({
      version: 0,
      data: { commentVersion: 0, status: 'approved', reason: 'Fair criticism' },
    });
    const queue = await app.http.get('/api/moderation/queue').set('Authorization', bearerFor(moderator)).expect(200);
    expect(queue.body.items.map((i: { commentId: string }) => i.commentId)).not.toContain(created.data.id);
    expect((await app.records.findById(created.data.id).lean())?.decisions).toEqual([
      expect.objectContaining({ commentVersion: 0, status: 'approved', decidedBy: moderator.id }),
    ]);
    // the same decision again changes nothing
    const again = await decide(created.data.id, { status: 'approved', reason: 'still fair' }).expect(409);
    expect(again.body).toEqual({ errors: [{ field: 'status', message: 'The comment is already approved' }] });
    await app.untilSettled();
    expect(decisionsAbout(created.data.id)).toHaveLength(1);
  });

  it('answers 409 when the version the moderator saw is stale, deciding nothing', async () => {
    const created = await queued('scam v0');
    await app.bus.publish(factory.at(1).commentUpdated(created.data, { body: 'scam v1', status: 'pending' }));
    await eventually(
      async () => (await app.records.findById(created.data.id).lean())?.review?.commentVersion === 1,
      10_000,
      'version 1 awaiting review',
    );
    const res = await decide(created.data.id, { status: 'approved', reason: 'ok', commentVersion: 0 }).expect(409);
    expect(res.body).toEqual({
      errors: [{ field: 'commentVersion', message: 'Version 0 is stale: version 1 awaits review' }],
    });
    await app.untilSettled();
    expect(decisionsAbout(created.data.id)).toEqual([]);
    const ok = await decide(created.data.id, { status: 'rejected', reason: 'still a scam', commentVersion: 1 }).expect(
      200,
    );
    expect(ok.body).toMatchObject({ commentVersion: 1, status: 'rejected' });
  });

  it('answers 404 for unknown, malformed and deleted comments', async () => {
    for (const id of ['000000000000000000000000', 'not-an-id', '%7B%22%24ne%22%3A1%7D']) {
      const res = await decide(id, { status: 'approved', reason: 'ok' }).expect(404);
      expect(res.body).toEqual({ errors: [{ message: 'Comment not found' }] });
    }
    const gone = await queued();
    await app.bus.publish(factory.at(1).commentDeleted(gone.data));
    await eventually(async () => (await app.records.findById(gone.data.id).lean())?.deleted, 10_000, 'deleted');
    await decide(gone.data.id, { status: 'approved', reason: 'ok' }).expect(404);
  });

  it('answers 401 and 403, and 400 naming invalid and unknown fields, deciding nothing', async () => {
    const created = await queued();
    await app.http
      .post(`/api/moderation/comments/${created.data.id}/decision`)
      .send({ status: 'approved', reason: 'x' })
      .expect(401);
    const forbidden = await decide(created.data.id, { status: 'approved', reason: 'x' }, user).expect(403);
    expect(forbidden.body).toEqual({ errors: [{ message: 'Not allowed' }] });
    const invalid = await decide(created.data.id, {
      status: 'maybe',
      reason: '   ',
      commentVersion: -1,
      extra: true,
    }).expect(400);
    expect(invalid.body.errors).toEqual([
      { field: 'status', message: 'Status must be "approved" or "rejected"' },
      { field: 'reason', message: 'Reason must be 1 to 500 characters' },
      { field: 'commentVersion', message: 'Comment version must be a whole number, 0 or more' },
      { field: 'extra', message: 'Unknown field' },
    ]);
    const missing = await decide(created.data.id, {}).expect(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['status', 'reason']);
    await decide(created.data.id, { status: 'approved', reason: 'x'.repeat(501) }).expect(400);
    await decide(created.data.id, { status: 'approved', reason: 'ok', commentVersion: '0' }).expect(400);
    await app.untilSettled();
    expect(decisionsAbout(created.data.id)).toEqual([]);
    expect((await app.records.findById(created.data.id).lean())?.awaitingReview).toBe(true);
  });
});
