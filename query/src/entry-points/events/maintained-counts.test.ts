import { eventually } from '@postline/common/testing';
import { listenerHarness, type ListenerHarness } from '../../testing/listener-harness';

/**
 * The counts kept in the read models (approved comments per post, posts per
 * list and tag, followers) stay equal to what they count through duplicates,
 * redeliveries and reordering: each change is conditional on the counted item
 * being counted or not, or a recount.
 */
let h: ListenerHarness;
const author = { id: 'countauthor0000000000001', username: 'count_author' };
beforeAll(async () => {
  h = await listenerHarness();
});
afterAll(async () => {
  await h.close();
});

const post = (id: string) => h.query.models.posts.findOne({ _id: id });
const get = (path: string) => h.query.http.get(`/api/query${path}`);

describe('maintained counts', () => {
  it('count an approved comment once, however often its events come', async () => {
    const created = h.events.postCreated(author);
    const id = created.data.id;
    const comment = h.events.commentCreated(id, author);
    const approval = h.events.moderated(comment.data, 0, 'approved');
    await h.events.publish(created, comment, approval);
    await eventually(async () => (await post(id))?.commentCount === 1);
    await h.redeliver(approval);
    await h.redeliver(comment);
    const other = h.events.commentCreated(id, author);
    const rejection = h.events.moderated(other.data, 0, 'rejected', 'no');
    await h.events.publish(other, rejection);
    await eventually(
      async () => (await h.query.models.comments.findOne({ _id: other.data.id }))?.status === 'rejected',
    );
    await h.untilSettled();
    expect(await post(id)).toMatchObject({ commentCount: 1 });

    // an edit sends it back to pending: no longer counted; deleted: still not
    const edited = h.events.commentUpdated(comment.data, { body: 'changed', status: 'pending' });
    await h.events.publish(edited);
    await eventually(async () => (await post(id))?.commentCount === 0);
    await h.events.publish(h.events.moderated(comment.data, 1, 'approved'));
    await eventually(async () => (await post(id))?.commentCount === 1);
    const deleted = h.events.commentDeleted(comment.data);
    await h.events.publish(deleted);
    await eventually(async () => (await post(id))?.commentCount === 0);
    await h.redeliver(deleted);
    await h.redeliver(approval);
    await h.untilSettled();
    expect(await post(id)).toMatchObject({ commentCount: 0, approvedComments: {} });
    expect((await get(`/posts/${id}`).expect(200)).body.post.commentCount).toBe(0);
  });

  it('count posts per list and tag through edits, deletions and duplicates', async () => {
    const writer = { id: 'countwriter0000000000001', username: 'count_writer' };
    await h.events.publish(h.events.userCreated(writer));
    const totalBefore: number = (await get('/posts').expect(200)).body.total;
    /** A post of its own, applied: the posts stream's earlier messages were delivered (and, all but surely, handled). */
    const barrier = async () => {
      const marker = h.events.postCreated({ id: 'countbarrier000000000001', username: 'count_barrier' });
      await h.events.publish(marker);
      await eventually(() => post(marker.data.id));
      await h.events.publish(h.events.postDeleted(marker.data));
      await eventually(async () => (await post(marker.data.id))?.deleted);
    };
    const one = h.events.postCreated(writer, { tags: ['alpha', 'beta'] });
    const two = h.events.postCreated(writer, { tags: ['beta'] });
    await h.events.publish(one, two);
    await h.redeliver(one);
    const retagged = h.events.postUpdated(one.data, { tags: ['gamma'] });
    await h.events.publish(retagged);
    await h.redeliver(retagged);
    await h.redeliver(one);
    await eventually(async () => (await post(one.data.id))?.tags.includes('gamma'));
    await barrier();
    const tags = async () =>
      Object.fromEntries(
        ((await get('/tags').expect(200)).body.tags as { tag: string; count: number }[]).map((t) => [t.tag, t.count]),
      );
    expect(await tags()).toMatchObject({ beta: 1, gamma: 1 });
    expect((await tags()).alpha).toBeUndefined();
    expect((await get('/posts?tag=beta').expect(200)).body.total).toBe(1);
    expect((await get(`/posts?author=${writer.username}`).expect(200)).body.total).toBe(2);

    const removal = h.events.postDeleted(two.data);
    await h.events.publish(removal);
    await eventually(async () => (await post(two.data.id))?.deleted);
    await h.redeliver(removal);
    await h.redeliver(two);
    await barrier();
    expect((await tags()).beta).toBeUndefined();
    expect((await get(`/users/${writer.username}/posts`).expect(200)).body.total).toBe(1);
    expect((await get('/posts').expect(200)).body.total).toBe(totalBefore + 1);
    // no empty buckets are left behind
    expect(await h.query.models.listCounts.countDocuments({ count: { $lte: 0 } })).toBe(0);
  });

  it('count followers, also those who followed before the user was known', async () => {
    const star = h.events.userCreated();
    const early = h.events.userCreated();
    const late = h.events.userCreated();
    const follow = h.events.followed(early.data.id, star.data.id);
    await h.events.publish(early, follow);
    await eventually(async () => (await h.query.models.users.findOne({ _id: early.data.id }))?.following.length === 1);
    await h.events.publish(star, late, h.events.followed(late.data.id, star.data.id));
    await h.redeliver(follow);
    const followerCount = async () => (await h.query.models.users.findOne({ _id: star.data.id }))?.followerCount;
    await eventually(async () => (await followerCount()) === 2);
    await h.events.publish(h.events.unfollowed(early.data.id, star.data.id));
    await eventually(async () => (await followerCount()) === 1);
    await h.untilSettled();
    expect(await followerCount()).toBe(1);
  });
});
