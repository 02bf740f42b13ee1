import { eventually } from '@postline/common/testing';
import { deadLettersOf, publishRaw } from '../../testing/poison-messages';
import { listenerHarness, type ListenerHarness } from '../../testing/listener-harness';

let h: ListenerHarness;
const author = { id: 'cauthor00000000000000001', username: 'comment_author' };
beforeAll(async () => {
  h = await listenerHarness();
});
afterAll(async () => {
  await h.close();
});

const livePost = () => h.livePost(author);

const comment = (id: string) => h.query.models.comments.findOne({ _id: id });

describe('comment.* listeners', () => {
  it('follow the status lifecycle: pending, then the decision with its reason', async () => {
    const post = await livePost();
    const created = h.events.commentCreated(post.id, author);
    await h.events.publish(created, h.events.moderated(created.data, 0, 'rejected', 'contains a blocked word'));
    expect(
      await eventually(async () =>
        (await comment(created.data.id))?.status === 'rejected' ? comment(created.data.id) : undefined,
      ),
    ).toMatchObject({
      reason: 'contains a blocked word',
      version: 0,
    });
  });

  it('never let a decision about older text approve newer text', async () => {
    const post = await livePost();
    const created = h.events.commentCreated(post.id, author, { body: 'first text' });
    const edited = h.events.commentUpdated(created.data, { body: 'second text', status: 'pending' });
    await h.events.publish(created, edited);
    await eventually(async () => (await comment(created.data.id))?.version === 1);
    const oldDecision = h.events.moderated(created.data, 0, 'approved');
    await h.events.publish(oldDecision);
    await eventually(async () => (await comment(created.data.id))?.moderation?.[created.data.id] === 0);
    expect(await comment(created.data.id)).toMatchObject({ status: 'pending', body: 'second text' });
    // a status-only update from the comments service keeps the text's version: its decision applies
    const statusOnly = h.events.commentUpdated(created.data, { body: 'second text', status: 'pending', reason: '' });
    await h.events.publish(statusOnly);
    await eventually(async () => (await comment(created.data.id))?.version === 2);
    await h.events.publish(h.events.moderated(created.data, 1, 'approved', 'fine'));
    expect(
      await eventually(async () =>
        (await comment(created.data.id))?.status === 'approved' ? comment(created.data.id) : undefined,
      ),
    ).toMatchObject({
      version: 2,
      bodyVersion: 1,
      reason: 'fine',
    });
  });

  it('never let a status-only update written before a decision undo that decision', async () => {
    const post = await livePost();
    const created = h.events.commentCreated(post.id, author, { body: 'the text' });
    await h.events.publish(created);
    await eventually(async () => (await comment(created.data.id))?.version === 0);
    // The decision arrives first; the comments service's update from before it applied the decision after.
    await h.events.publish(h.events.moderated(created.data, 0, 'approved', 'fine'));
    await eventually(async () => (await comment(created.data.id))?.status === 'approved');
    const statusOnly = h.events.commentUpdated(created.data, { body: 'the text', status: 'pending', reason: '' });
    await h.events.publish(statusOnly);
    await eventually(async () => (await comment(created.data.id))?.version === 1);
    expect(await comment(created.data.id)).toMatchObject({ status: 'approved', reason: 'fine', bodyVersion: 0 });
    expect((await h.query.models.posts.findOne({ _id: post.id }))?.commentCount).toBe(1);
  });

  it('wait for the post of a comment, and for the comment version a decision is about', async () => {
    const post = h.events.postCreated(author);
    const created = h.events.commentCreated(post.data.id, author);
    const edited = h.events.commentUpdated(created.data, { body: 'edited', status: 'pending' });
    const decision = h.events.moderated(created.data, 1, 'approved');
    await h.publishOutOfOrder(decision); // held until the comment is there
    await h.publishOutOfOrder(created); // held until its post is there
    await h.events.publish(edited); // queued behind the comment's v0
    expect(await comment(created.data.id)).toBeNull();
    await h.events.publish(post);
    expect(
      await eventually(async () =>
        (await comment(created.data.id))?.status === 'approved' ? comment(created.data.id) : undefined,
      ),
    ).toMatchObject({
      body: 'edited',
      version: 1,
    });
  });

  it('ignore duplicates (no double effect), and keep decisions in their own order', async () => {
    const post = await livePost();
    const created = h.events.commentCreated(post.id, author);
    const approve = h.events.moderated(created.data, 0, 'approved', 'ok');
    const reject = h.events.moderated(created.data, 0, 'rejected', 'on second thought');
    await h.events.publish(created);
    await eventually(() => comment(created.data.id));
    await h.publishOutOfOrder(reject); // decision v1 before v0: held
    expect(await comment(created.data.id)).toMatchObject({ status: 'pending' });
    await h.events.publish(approve);
    await eventually(async () => (await comment(created.data.id))?.status === 'rejected');
    await h.redeliver(approve);
    await h.redeliver(created);
    const deleted = h.events.commentDeleted(created.data);
    await h.events.publish(deleted);
    await eventually(async () => (await comment(created.data.id))?.deleted === true);
    await h.redeliver(created);
    await h.redeliver(deleted);
    await h.untilSettled();
    expect(await comment(created.data.id)).toMatchObject({ deleted: true, version: 1, status: 'rejected', body: '' });
    expect(await h.query.models.comments.countDocuments({ _id: created.data.id })).toBe(1);
  });

  it('dead-letter a poison message and go on with the next one', async () => {
    const post = await livePost();
    const bad = h.events.commentCreated(post.id, author);
    await publishRaw(h.bus, 'comment.created', { ...bad, data: { ...bad.data, status: 'published' } });
    const next = h.events.commentCreated(post.id, author);
    await h.events.publish(next);
    await eventually(() => comment(next.data.id));
    const letters = await eventually(async () => {
      const found = (await deadLettersOf(h.bus)).filter((l) => l.subject === 'comment.created');
      return found.length > 0 ? found : undefined;
    });
    expect(letters[0]!.reason).toMatch(/data\.status/);
  });

  it('dead-letter a comment whose post never comes, after its retries, and go on', async () => {
    const orphan = h.events.commentCreated('no-such-post', author);
    await h.events.publish(orphan);
    const post = await livePost();
    const next = h.events.commentCreated(post.id, author);
    await h.events.publish(next);
    await eventually(() => comment(next.data.id));
    const letter = await eventually(
      async () => (await deadLettersOf(h.bus)).find((l) => l.payload.includes(orphan.data.id)),
      15_000,
    );
    expect(letter.reason).toMatch(/not known yet/);
  });
});
