import type { EventData } from '@postline/common';
import { bearerFor, eventually, testUser } from '@postline/common/testing';
import { listenerHarness, type ListenerHarness } from '../../testing/listener-harness';

/**
 * Drafts in the read models: never in a public answer (lists, tag and author
 * filters, tag counts, user pages, feeds, post pages), seen by their author
 * through /drafts, and counted exactly while they move in and out of the
 * lists. Old post events (no status) mean published.
 */
let h: ListenerHarness;
const dora = testUser({ username: 'dora_drafts' });
const fred = testUser({ username: 'fred_drafts' });
type Snapshot = EventData<'post.created'>;
let old: Snapshot;
let draft: Snapshot;
let draftVersion = 0;

const get = (path: string, user?: ReturnType<typeof testUser>) => {
  const req = h.query.http.get(`/api/query${path}`);
  return user ? req.set('Authorization', bearerFor(user)) : req;
};
const ids = (res: { body: { posts: { id: string }[] } }) => res.body.posts.map((p) => p.id);
const tagCount = async (tag: string) =>
  ((await get('/tags').expect(200)).body.tags as { tag: string; count: number }[]).find((t) => t.tag === tag)?.count ??
  0;

/** Everything public that could show the draft, read (so cached) before each change. */
async function publicView() {
  const [all, tagged, byAuthor, userPage, feed, tags] = await Promise.all([
    get('/posts?limit=50').expect(200),
    get('/posts?tag=secret').expect(200),
    get(`/posts?author=${dora.username}`).expect(200),
    get(`/users/${dora.username}/posts`).expect(200),
    get('/feed', fred).expect(200),
    tagCount('secret'),
  ]);
  return {
    all: ids(all),
    allTotal: all.body.total as number,
    tagged: ids(tagged),
    taggedTotal: tagged.body.total as number,
    byAuthor: ids(byAuthor),
    userPage: ids(userPage),
    userTotal: userPage.body.total as number,
    feed: ids(feed),
    feedTotal: feed.body.total as number,
    tags,
  };
}

async function applyPostUpdate(changes: Partial<Snapshot>) {
  draftVersion += 1;
  const event = h.events.postUpdated(draft, changes);
  draft = event.data;
  await h.events.publish(event);
  // Handled to the end: the post is written first, its lists and tag counts after it.
  await h.untilSettled();
  expect((await h.query.models.posts.findOne({ _id: draft.id }))?.version).toBe(draftVersion);
}

beforeAll(async () => {
  h = await listenerHarness();
  const e = h.events;
  await e.publish(
    ...[dora, fred].map((u) => e.userCreated({ id: u.id, username: u.username, role: u.role })),
    e.followed(fred.id, dora.id),
  );
  // An event from before drafts existed (no status) and a draft written after it.
  const oldEvent = e.postCreated(dora, { title: 'Old and public', tags: ['secret'] });
  const draftEvent = e.postCreated(dora, {
    title: 'Not yet',
    slug: 'not-yet',
    tags: ['secret'],
    status: 'draft',
    publishedAt: null,
    publishAt: null,
  });
  old = oldEvent.data;
  draft = draftEvent.data;
  expect(old).not.toHaveProperty('status');
  await e.publish(oldEvent, draftEvent);
  await eventually(async () => (await h.query.models.posts.countDocuments({})) === 2);
  await eventually(async () => (await h.query.models.users.findOne({ _id: fred.id }))?.following.length === 1);
});

afterAll(async () => {
  await h?.close();
});

describe('a draft', () => {
  it('is in no public answer, and an old post without a status is published', async () => {
    const view = await publicView();
    expect(view).toEqual({
      all: [old.id],
      allTotal: 1,
      tagged: [old.id],
      taggedTotal: 1,
      byAuthor: [old.id],
      userPage: [old.id],
      userTotal: 1,
      feed: [old.id],
      feedTotal: 1,
      tags: 1,
    });
    await get(`/posts/${draft.id}`).expect(404);
    await get(`/posts/not-yet`).expect(404);
    await get(`/posts/${draft.id}`, fred).expect(404);
    // Not even to its author: the public page is the published one; their preview is /drafts/:id.
    await get(`/posts/${draft.id}`, dora).expect(404);
  });

  it("is listed in its author's drafts and previewed as its page will show it, for the author only", async () => {
    const mine = await get('/drafts', dora).expect(200);
    expect(mine.body).toMatchObject({ page: 1, limit: 20, total: 1, totalPages: 1 });
    expect(mine.body.posts).toEqual([
      expect.objectContaining({ id: draft.id, title: 'Not yet', status: 'draft', publishAt: null, publishedAt: null }),
    ]);
    expect((await get('/drafts', fred).expect(200)).body).toMatchObject({ posts: [], total: 0 });
    await get('/drafts').expect(401);
    await get('/drafts?page=0', dora).expect(400);

    const preview = await get(`/drafts/${draft.id}`, dora).expect(200);
    expect(preview.body.post).toMatchObject({
      id: draft.id,
      slug: 'not-yet',
      body: draft.body,
      status: 'draft',
      publishedAt: null,
      comments: [],
    });
    expect((await get('/drafts/not-yet', dora).expect(200)).body.post.id).toBe(draft.id);
    await get(`/drafts/${draft.id}`, fred).expect(404);
    await get(`/drafts/${old.id}`, fred).expect(404);
    await get(`/drafts/${draft.id}`).expect(401);
  });

  it('joins every list and count when published, newest-published first, and leaves them when unpublished', async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    await applyPostUpdate({ publishAt: later }); // scheduled: still a draft
    expect((await get('/drafts', dora).expect(200)).body.posts[0]).toMatchObject({ publishAt: later });
    expect((await publicView()).allTotal).toBe(1);

    // Published: on top of the lists although created after `old`... and before any other post.
    await applyPostUpdate({
      status: 'published',
      publishedAt: new Date(Date.now() + 1000).toISOString(),
      publishAt: null,
    });
    expect(await publicView()).toEqual({
      all: [draft.id, old.id],
      allTotal: 2,
      tagged: [draft.id, old.id],
      taggedTotal: 2,
      byAuthor: [draft.id, old.id],
      userPage: [draft.id, old.id],
      userTotal: 2,
      feed: [draft.id, old.id],
      feedTotal: 2,
      tags: 2,
    });
    const page = await get(`/posts/${draft.id}`, fred).expect(200);
    expect(page.body.post).toMatchObject({ id: draft.id, publishedAt: draft.publishedAt });
    expect(page.body.post).not.toHaveProperty('status');
    expect((await get('/drafts', dora).expect(200)).body.total).toBe(0);
    // The author's preview still answers (a preview link right after publishing keeps working).
    expect((await get(`/drafts/${draft.id}`, dora).expect(200)).body.post.status).toBe('published');

    // An edit of the published post keeps it where it is.
    await applyPostUpdate({ title: 'Now public' });
    expect((await publicView()).allTotal).toBe(2);

    await applyPostUpdate({ status: 'draft', publishedAt: null });
    const after = await publicView();
    expect(after).toMatchObject({
      all: [old.id],
      allTotal: 1,
      tagged: [old.id],
      taggedTotal: 1,
      userTotal: 1,
      feedTotal: 1,
      tags: 1,
    });
    await get(`/posts/${draft.id}`).expect(404);
    expect(ids(await get('/drafts', dora).expect(200))).toEqual([draft.id]);
  });

  it('a redelivered publication counts once', async () => {
    await applyPostUpdate({ status: 'published', publishedAt: new Date().toISOString() });
    const published = h.events.postUpdated(draft, {});
    // The same version delivered again (a duplicate) repairs, never double-counts.
    await h.redeliver({ ...published, version: draftVersion, data: draft });
    await h.untilSettled();
    expect(await publicView()).toMatchObject({ allTotal: 2, taggedTotal: 2, userTotal: 2, tags: 2 });
  });
});
