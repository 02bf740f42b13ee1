import { eventually } from '@postline/common/testing';
import { deadLettersOf, publishRaw } from '../../testing/poison-messages';
import { listenerHarness, type ListenerHarness } from '../../testing/listener-harness';

let h: ListenerHarness;
const author = { id: 'author0000000000000000a1', username: 'post_author' };
beforeAll(async () => {
  h = await listenerHarness();
});
afterAll(async () => {
  await h.close();
});

const postAt = async (id: string, version: number) =>
  eventually(async () => {
    const doc = await h.query.models.posts.findOne({ _id: id });
    return doc?.version === version ? doc : undefined;
  });

describe('post.* listeners', () => {
  it('keep the post, its excerpt, tags and likers', async () => {
    const created = h.events.postCreated(author, {
      title: 'Hello',
      body: '# Title\n\nSome *markdown* text',
      tags: ['news'],
    });
    await h.events.publish(
      created,
      h.events.liked(created.data.id, 'liker1', 1),
      h.events.liked(created.data.id, 'liker2', 2),
    );
    expect((await postAt(created.data.id, 2))?.readingMinutes).toBe(1);
    // 450 words: three minutes at 200 words a minute, kept with the post for the lists.
    const longBody = `# Title\n\nSome *markdown* text ${'and more words '.repeat(149)}`;
    await h.events.publish(
      h.events.postUpdated(created.data, { title: 'Hello again', tags: ['news', 'tech'], body: longBody }),
    );
    const post = await postAt(created.data.id, 3);
    expect(post).toMatchObject({
      title: 'Hello again',
      readingMinutes: 3,
      excerpt: expect.stringMatching(/^Title Some markdown text and more words/),
      tags: ['news', 'tech'],
      likeCount: 2,
      likers: ['liker1', 'liker2'],
      deleted: false,
    });
  });

  it('ignore duplicates (no double effect): an old like after the unlike, a creation after the deletion', async () => {
    const created = h.events.postCreated(author);
    const like = h.events.liked(created.data.id, 'fan', 1);
    const unlike = h.events.unliked(created.data.id, 'fan', 0);
    await h.events.publish(created, like, unlike);
    await postAt(created.data.id, 2);
    await h.redeliver(like);
    await h.untilSettled();
    expect(await h.query.models.posts.findOne({ _id: created.data.id })).toMatchObject({
      likeCount: 0,
      likers: [],
      version: 2,
    });

    await h.events.publish(h.events.postDeleted(created.data));
    await postAt(created.data.id, 3);
    await h.redeliver(created);
    await h.untilSettled();
    expect(await h.query.models.posts.findOne({ _id: created.data.id })).toMatchObject({ deleted: true, version: 3 });
  });

  it('never apply out of order, and converge once the missing event arrives', async () => {
    const created = h.events.postCreated(author, { title: 'First' });
    const update = h.events.postUpdated(created.data, { title: 'Second' });
    const like = h.events.liked(created.data.id, 'fan', 1);
    await h.publishOutOfOrder(like); // both held until post.created
    await h.publishOutOfOrder(update);
    expect(await h.query.models.posts.findOne({ _id: created.data.id })).toBeNull();
    await h.events.publish(created);
    const post = await postAt(created.data.id, 2);
    expect(post).toMatchObject({ title: 'Second', likeCount: 1, likers: ['fan'] });
  });

  it('dead-letter a poison message and go on with the next one', async () => {
    const bad = h.events.postCreated(author);
    await publishRaw(h.bus, 'post.created', { ...bad, data: { ...bad.data, title: '' } });
    const next = h.events.postCreated(author);
    await h.events.publish(next);
    await postAt(next.data.id, 0);
    const letters = await eventually(async () => {
      const found = (await deadLettersOf(h.bus)).filter((l) => l.subject === 'post.created');
      return found.length > 0 ? found : undefined;
    });
    expect(letters[0]!.reason).toMatch(/data\.title/);
    expect(await h.query.models.posts.findOne({ _id: bad.data.id })).toBeNull();
  });

  it('post.deleted removes the post from the lists and its comments from the read models', async () => {
    const created = h.events.postCreated(author, { tags: ['gone'] });
    const comment = h.events.commentCreated(created.data.id, author);
    await h.events.publish(created, comment, h.events.moderated(comment.data, 0, 'approved'));
    await eventually(
      async () => (await h.query.models.comments.findOne({ _id: comment.data.id }))?.status === 'approved',
    );
    await h.events.publish(h.events.postDeleted(created.data));
    await postAt(created.data.id, 1);
    await eventually(async () => (await h.query.models.comments.countDocuments({ postId: created.data.id })) === 0);
    // a late comment event for the deleted post is dropped, not retried forever
    await h.redeliver(comment);
    const late = h.events.commentCreated(created.data.id, author);
    await h.events.publish(late);
    await h.untilSettled();
    expect(await h.query.models.comments.countDocuments({ postId: created.data.id })).toBe(0);
    expect((await deadLettersOf(h.bus)).filter((l) => l.subject.startsWith('comment.'))).toEqual([]);
  });
});
