import { bearerFor, EventFactory, eventually, newId, testUser } from '@postline/common/testing';
import { startModeration, type ModerationUnderTest } from '../../testing/start-moderation';

/**
 * Moderators overturn any decision (the rules' or a moderator's) with a reason, and find the
 * rules' recent rejections and the queue page by page. Real database and nats-server.
 */

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
const otherModerator = testUser({ username: 'mod2', role: 'moderator' });
const user = testUser({ username: 'plain' });
const decisionsAbout = (commentId: string) =>
  app.events.of('comment.moderated').filter((e) => e.data.commentId === commentId);

function decide(commentId: string, body: Record<string, unknown>, who = moderator) {
  return app.http
    .post(`/api/moderation/comments/${commentId}/decision`)
    .set('Authorization', bearerFor(who))
    .send(body);
}

const get = (path: string, who = moderator) => app.http.get(path).set('Authorization', bearerFor(who));

/** A comment the rules reject, once its rejection is published. */
async function rejectedByRules(body = 'I like orange juice') {
  const created = factory.commentCreated(newId(), commenter, { body });
  await app.bus.publish(created);
  await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id);
  return created;
}

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

describe("overturning the rules' rejection", () => {
  it('lists it among the recent automatic rejections with the rule, then approves it as a new decision', async () => {
    const created = await rejectedByRules();
    const rules = await get('/api/moderation/decisions?decidedBy=rules&status=rejected').expect(200);
    expect(rules.body.items.find((i: { commentId: string }) => i.commentId === created.data.id)).toEqual({
      commentId: created.data.id,
      postId: created.data.postId,
      authorUsername: 'commenter',
      body: 'I like orange juice',
      commentVersion: 0,
      status: 'rejected',
      reason: 'blocked word: orange',
      decidedBy: 'rules',
      decidedAt: expect.any(String),
    });

    const res = await decide(created.data.id, {
      status: 'approved',
      reason: '  Juice, not spam  ',
      commentVersion: 0,
    }).expect(200);
    expect(res.body).toEqual({
      commentId: created.data.id,
      commentVersion: 0,
      status: 'approved',
      reason: 'Juice, not spam',
      overturned: { status: 'rejected', reason: 'blocked word: orange', decidedBy: 'rules' },
    });
    await app.untilSettled();
    expect(decisionsAbout(created.data.id).map((e) => [e.version, e.data])).toEqual([
      [
        0,
        {
          commentId: created.data.id,
          postId: created.data.postId,
          commentVersion: 0,
          status: 'rejected',
          reason: 'blocked word: orange',
          decidedBy: 'rules',
        },
      ],
      [
        1,
        {
          commentId: created.data.id,
          postId: created.data.postId,
          commentVersion: 0,
          status: 'approved',
          reason: 'Juice, not spam',
          decidedBy: 'moderator',
        },
      ],
    ]);
    const after = await get('/api/moderation/decisions?decidedBy=rules&status=rejected').expect(200);
    expect(after.body.items.map((i: { commentId: string }) => i.commentId)).not.toContain(created.data.id);
    const byModerators = await get('/api/moderation/decisions?decidedBy=moderator').expect(200);
    expect(byModerators.body.items.find((i: { commentId: string }) => i.commentId === created.data.id)).toMatchObject({
      status: 'approved',
      reason: 'Juice, not spam',
      decidedBy: 'moderator',
      body: 'I like orange juice',
    });
  });

  it('is not judged again when the comments service announces the overturned status', async () => {
    const created = await rejectedByRules('orange again');
    await app.bus.publish(
      factory.at(1).commentUpdated(created.data, { status: 'rejected', reason: 'blocked word: orange' }),
    );
    await decide(created.data.id, { status: 'approved', reason: 'fine', commentVersion: 0 }).expect(200);
    await app.bus.publish(factory.at(2).commentUpdated(created.data, { status: 'approved', reason: 'fine' }));
    await app.untilSettled();
    expect((await app.records.findById(created.data.id).lean())?.commentVersion).toBe(2);
    expect(decisionsAbout(created.data.id).map((e) => [e.version, e.data.status])).toEqual([
      [0, 'rejected'],
      [1, 'approved'],
    ]);
  });
});

describe("overturning a moderator's decision", () => {
  it('rejects what a moderator approved, and another moderator can overturn that too', async () => {
    const created = await queued();
    await decide(created.data.id, { status: 'approved', reason: 'fair question' }).expect(200);
    const rejected = await decide(
      created.data.id,
      { status: 'rejected', reason: 'it links a scam', commentVersion: 0 },
      otherModerator,
    ).expect(200);
    expect(rejected.body.overturned).toEqual({ status: 'approved', reason: 'fair question', decidedBy: 'moderator' });
    const back = await decide(created.data.id, { status: 'approved', reason: 'checked the link' }).expect(200);
    expect(back.body).toMatchObject({ status: 'approved', overturned: { status: 'rejected' } });
    await app.untilSettled();
    expect(decisionsAbout(created.data.id).map((e) => [e.version, e.data.commentVersion, e.data.status])).toEqual([
      [0, 0, 'approved'],
      [1, 0, 'rejected'],
      [2, 0, 'approved'],
    ]);
    expect((await app.records.findById(created.data.id).lean())?.decisions.map((d) => d.decidedBy)).toEqual([
      moderator.id,
      otherModerator.id,
      moderator.id,
    ]);
  });
});

describe('what an overturn refuses, deciding nothing', () => {
  it('answers 409 for a version the author has edited since, naming the current one', async () => {
    const created = await rejectedByRules('orange first');
    await app.bus.publish(
      factory.at(1).commentUpdated(created.data, { status: 'rejected', reason: 'blocked word: orange' }),
    );
    await app.bus.publish(factory.at(2).commentUpdated(created.data, { body: 'clean second text', status: 'pending' }));
    await app.events.waitFor('comment.moderated', (e) => e.data.commentId === created.data.id && e.version === 1);
    const res = await decide(created.data.id, { status: 'approved', reason: 'ok', commentVersion: 0 }).expect(409);
    expect(res.body).toEqual({
      errors: [{ field: 'commentVersion', message: 'Version 0 is stale: version 2 is the current text' }],
    });
    await app.untilSettled();
    expect(decisionsAbout(created.data.id).map((e) => e.data.commentVersion)).toEqual([0, 2]);
  });

  it('answers 400 without a reason, 409 for the status it already has, 401 and 403 for others', async () => {
    const created = await rejectedByRules('orange, orange');
    for (const body of [{ status: 'approved' }, { status: 'approved', reason: '   ' }]) {
      const res = await decide(created.data.id, body).expect(400);
      expect(res.body.errors).toEqual([
        { field: 'reason', message: expect.stringMatching(/^Reason (is required|must be 1 to 500 characters)$/) },
      ]);
    }
    const same = await decide(created.data.id, { status: 'rejected', reason: 'agreed' }).expect(409);
    expect(same.body).toEqual({ errors: [{ field: 'status', message: 'The comment is already rejected' }] });
    await app.http
      .post(`/api/moderation/comments/${created.data.id}/decision`)
      .send({ status: 'approved', reason: 'x' })
      .expect(401);
    await decide(created.data.id, { status: 'approved', reason: 'x' }, user).expect(403);
    await app.untilSettled();
    expect(decisionsAbout(created.data.id)).toHaveLength(1);
  });
});

describe('GET /api/moderation/decisions and the queue, page by page', () => {
  it('pages newest decision first, with totals', async () => {
    const a = await rejectedByRules('orange one');
    const b = await rejectedByRules('orange two');
    const c = await rejectedByRules('orange three');
    const first = await get('/api/moderation/decisions?decidedBy=rules&status=rejected&limit=2').expect(200);
    expect(first.body).toMatchObject({ page: 1, limit: 2 });
    expect(first.body.items.map((i: { commentId: string }) => i.commentId)).toEqual([c.data.id, b.data.id]);
    const second = await get('/api/moderation/decisions?decidedBy=rules&status=rejected&limit=2&page=2').expect(200);
    expect(second.body.items[0].commentId).toBe(a.data.id);
    expect(second.body.total).toBe(first.body.total);
    expect(first.body.totalPages).toBe(Math.ceil(first.body.total / 2));
  });

  it('pages the queue oldest first', async () => {
    await queued('scam page one');
    await queued('scam page two');
    const all = await get('/api/moderation/queue').expect(200);
    expect(all.body).toMatchObject({ page: 1, limit: 50, total: all.body.items.length });
    const last = await get(`/api/moderation/queue?limit=1&page=${all.body.total}`).expect(200);
    expect(last.body.items).toEqual([all.body.items.at(-1)]);
    expect(last.body.totalPages).toBe(all.body.total);
  });

  it('is for moderators only and names bad parameters', async () => {
    await app.http.get('/api/moderation/decisions').expect(401);
    await get('/api/moderation/decisions', user).expect(403);
    const bad = await get('/api/moderation/decisions?decidedBy=robots&status=maybe&page=0&sort=new').expect(400);
    expect(bad.body.errors).toEqual([
      { field: 'page', message: 'Page must be a whole number from 1' },
      { field: 'decidedBy', message: 'decidedBy must be "rules" or "moderator"' },
      { field: 'status', message: 'Status must be "approved" or "rejected"' },
      { field: 'sort', message: 'Unknown field' },
    ]);
  });
});
