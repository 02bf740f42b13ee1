import { eventually, uniqueNamespace } from '@postline/common/testing';
import { deadLettersOf } from '../../testing/poison-messages';
import { listenerHarness, type ListenerHarness } from '../../testing/listener-harness';
import { startQuery } from '../../testing/start-query';

/**
 * A moderator overturns a decision: moderation publishes a new comment.moderated about the same
 * text version (its record's next version), and the comments service announces each status it
 * applies as comment.updated (which sets no status here: the decisions are the one source). The
 * read model ends on the latest decision, and the post's approved
 * count follows every flip exactly, whatever order the events arrive in and however often.
 */

let h: ListenerHarness;
const author = { id: 'oauthor00000000000000001', username: 'overturn_author' };
beforeAll(async () => {
  h = await listenerHarness();
});
afterAll(async () => {
  await h.close();
});

const livePost = () => h.livePost(author);

const comment = (id: string) => h.query.models.comments.findOne({ _id: id });
const post = (id: string) => h.query.models.posts.findOne({ _id: id });
const counted = async (postId: string) => {
  const p = await post(postId);
  return { commentCount: p?.commentCount, approved: Object.keys(p?.approvedComments ?? {}).sort() };
};

/** The events of one comment rejected by the rules and overturned by a moderator, as the services publish them. */
function rejectedThenOverturned(postId: string, body = 'an orange a day') {
  const created = h.events.commentCreated(postId, author, { body });
  const rulesRejection = h.events.moderated(created.data, 0, 'rejected', 'blocked word: orange');
  const rejected = h.events.commentUpdated(created.data, { status: 'rejected', reason: 'blocked word: orange' });
  const overturn = h.events.moderated(created.data, 0, 'approved', 'a fruit, not spam');
  const approved = h.events.commentUpdated(created.data, { status: 'approved', reason: 'a fruit, not spam' });
  return { created, rulesRejection, rejected, overturn, approved };
}

describe('an overturned decision in the read model', () => {
  it("approves a rules-rejected comment and counts it; a moderator's later rejection uncounts it", async () => {
    const p = await livePost();
    const c = rejectedThenOverturned(p.id);
    await h.events.publish(c.created, c.rulesRejection, c.rejected);
    // The status comes from the decision alone; the comments service's restatement of it moves the version.
    await eventually(async () => {
      const now = await comment(c.created.data.id);
      return now?.version === 1 && now.moderation[c.created.data.id] === 0;
    });
    expect(await comment(c.created.data.id)).toMatchObject({ status: 'rejected', reason: 'blocked word: orange' });
    expect(await counted(p.id)).toEqual({ commentCount: 0, approved: [] });

    await h.events.publish(c.overturn, c.approved);
    // (the comments service's update may arrive first: it cannot say which decision it applied, so the
    // decision already applied here stands until the overturn itself arrives)
    await eventually(async () => {
      const now = await comment(c.created.data.id);
      return now?.version === 2 && now.moderation[c.created.data.id] === 1;
    });
    expect(await comment(c.created.data.id)).toMatchObject({
      status: 'approved',
      reason: 'a fruit, not spam',
      bodyVersion: 0,
    });
    expect(await counted(p.id)).toEqual({ commentCount: 1, approved: [c.created.data.id] });

    // and back: a moderator rejects what was approved
    const reOverturn = h.events.moderated(c.created.data, 0, 'rejected', 'spam after all');
    const reRejected = h.events.commentUpdated(c.created.data, { status: 'rejected', reason: 'spam after all' });
    await h.events.publish(reOverturn, reRejected);
    await eventually(async () => {
      const now = await comment(c.created.data.id);
      return now?.version === 3 && now.moderation[c.created.data.id] === 2;
    });
    expect(await comment(c.created.data.id)).toMatchObject({ status: 'rejected', reason: 'spam after all' });
    expect(await counted(p.id)).toEqual({ commentCount: 0, approved: [] });
  });

  it('ends on the latest decision with an exact count when events arrive out of order and twice', async () => {
    const p = await livePost();
    const a = rejectedThenOverturned(p.id, 'orange one');
    const b = rejectedThenOverturned(p.id, 'orange two');
    await h.events.publish(a.created, b.created);
    await eventually(async () => (await comment(b.created.data.id))?.version === 0);
    // the overturn before the decision it overturns (it waits), the comments service's updates in between
    await h.events.publish(a.overturn, a.approved, a.rejected, a.rulesRejection);
    await h.events.publish(b.approved, b.overturn, b.rulesRejection, b.rejected);
    for (const e of [a.overturn, a.rulesRejection, a.approved, b.rulesRejection, b.overturn, b.rejected])
      await h.redeliver(e);
    for (const c of [a, b]) {
      await eventually(
        async () => {
          const now = await comment(c.created.data.id);
          return now?.version === 2 && now.moderation[c.created.data.id] === 1 && now.status === 'approved';
        },
        10_000,
        'the overturn applied',
      );
    }
    await h.untilSettled(); // redeliveries handled
    for (const c of [a, b])
      expect(await comment(c.created.data.id)).toMatchObject({ status: 'approved', reason: 'a fruit, not spam' });
    expect(await counted(p.id)).toEqual({
      commentCount: 2,
      approved: [a.created.data.id, b.created.data.id].sort(),
    });
    expect((await deadLettersOf(h.bus)).filter((l) => l.subject.startsWith('comment.'))).toEqual([]);
  });

  it('ignores an overturn about text the author has edited since', async () => {
    const p = await livePost();
    const created = h.events.commentCreated(p.id, author, { body: 'an orange' });
    const c = {
      created,
      rulesRejection: h.events.moderated(created.data, 0, 'rejected', 'blocked word: orange'),
      rejected: h.events.commentUpdated(created.data, { status: 'rejected', reason: 'blocked word: orange' }),
      overturn: h.events.moderated(created.data, 0, 'approved', 'a fruit, not spam'),
    };
    const edited = h.events.commentUpdated(created.data, { body: 'a clean text', status: 'pending', reason: '' });
    await h.events.publish(c.created, c.rulesRejection, c.rejected, edited);
    await eventually(async () => (await comment(c.created.data.id))?.version === 2);
    await h.events.publish(c.overturn);
    await eventually(async () => (await comment(c.created.data.id))?.moderation[c.created.data.id] === 1);
    expect(await comment(c.created.data.id)).toMatchObject({ status: 'pending', body: 'a clean text', bodyVersion: 2 });
    expect(await counted(p.id)).toEqual({ commentCount: 0, approved: [] });
  });

  it('rebuilt from the streams, hold the same comments and counts as the live read model', async () => {
    const database = `${uniqueNamespace()}-overturn-rebuild`;
    const rebuilt = await startQuery({ namespace: h.query.namespace, database });
    try {
      // What readers see and the versions applied.
      const projection = { status: 1, reason: 1, body: 1, version: 1, bodyVersion: 1, moderation: 1, deleted: 1 };
      const comments = (q: typeof rebuilt) =>
        q.models.comments.find({ authorId: author.id }, { projection }).sort({ _id: 1 }).toArray();
      const live = await comments(h.query);
      expect(live.length).toBeGreaterThanOrEqual(4);
      expect(await comments(rebuilt)).toEqual(live);
      const livePosts = await h.query.models.posts
        .find({ authorId: author.id }, { projection: { commentCount: 1, approvedComments: 1 } })
        .sort({ _id: 1 })
        .toArray();
      expect(
        await rebuilt.models.posts
          .find({ authorId: author.id }, { projection: { commentCount: 1, approvedComments: 1 } })
          .sort({ _id: 1 })
          .toArray(),
      ).toEqual(livePosts);
    } finally {
      await rebuilt.stop();
    }
  });
});
