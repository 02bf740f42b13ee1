import { bearerFor, eventually, sessionCookieFor, testUser } from '@postline/common/testing';
import { listenerHarness, type ListenerHarness } from '../../testing/listener-harness';

let h: ListenerHarness;
const ann = testUser({ username: 'ann_routes' });
const bob = testUser({ username: 'bob_routes' });
const carl = testUser({ username: 'carl_routes' });
const mod = testUser({ username: 'mod_routes', role: 'moderator' });
let annPosts: string[] = [];
let bobPost = '';
let bobSlug = '';
let comments: { approved: string; pending: string; rejected: string };

beforeAll(async () => {
  h = await listenerHarness();
  const e = h.events;
  await e.publish(
    ...[ann, bob, carl, mod].map((u) =>
      e.userCreated({ id: u.id, username: u.username, role: u.role, image: `https://img.test/${u.username}.png` }),
    ),
    e.followed(carl.id, bob.id),
  );
  // 25 posts by ann tagged "many", then one by bob tagged "solo" and "many"
  const annCreated = Array.from({ length: 25 }, (_, i) => e.postCreated(ann, { title: `Ann ${i}`, tags: ['many'] }));
  const bobCreated = e.postCreated(bob, {
    title: 'Bob post',
    slug: 'bob-post',
    tags: ['solo', 'many'],
    body: 'Bob **body**',
  });
  await e.publish(...annCreated, bobCreated);
  annPosts = annCreated.map((p) => p.data.id).reverse(); // newest first
  bobPost = bobCreated.data.id;
  bobSlug = bobCreated.data.slug;
  const approved = e.commentCreated(bobPost, ann, { body: 'nice' });
  const pending = e.commentCreated(bobPost, ann, { body: 'awaiting' });
  const rejected = e.commentCreated(bobPost, carl, { body: 'orange' });
  await e.publish(
    approved,
    pending,
    rejected,
    e.moderated(approved.data, 0, 'approved'),
    e.moderated(rejected.data, 0, 'rejected', 'blocked word: orange'),
    e.liked(bobPost, carl.id, 1),
  );
  comments = { approved: approved.data.id, pending: pending.data.id, rejected: rejected.data.id };
  await eventually(async () => {
    const [posts, rejectedDoc, likedPost, approvedDoc] = await Promise.all([
      h.query.models.posts.countDocuments({}),
      h.query.models.comments.findOne({ _id: rejected.data.id, status: 'rejected' }),
      h.query.models.posts.findOne({ _id: bobPost, likeCount: 1, commentCount: 1 }),
      h.query.models.comments.findOne({ _id: approved.data.id, status: 'approved' }),
    ]);
    return posts === 26 && rejectedDoc && likedPost && approvedDoc;
  });
  await eventually(async () => (await h.query.models.users.findOne({ _id: carl.id }))?.following.length === 1);
});
afterAll(async () => {
  await h.close();
});

const get = (path: string) => h.query.http.get(`/api/query${path}`);

describe('GET /api/query/posts', () => {
  it('pages newest first with totals', async () => {
    const first = await get('/posts?limit=10').expect(200);
    expect(first.body).toMatchObject({ page: 1, limit: 10, total: 26, totalPages: 3 });
    expect(first.body.posts.map((p: { id: string }) => p.id)).toEqual([bobPost, ...annPosts.slice(0, 9)]);
    const third = await get('/posts?limit=10&page=3').expect(200);
    expect(third.body.posts.map((p: { id: string }) => p.id)).toEqual(annPosts.slice(19));
    const beyond = await get('/posts?page=9').expect(200);
    expect(beyond.body).toMatchObject({ posts: [], total: 26, page: 9 });
  });

  it('defaults to 20 per page and shows the summary shape without personal flags when signed out', async () => {
    const res = await get('/posts').expect(200);
    expect(res.body.posts).toHaveLength(20);
    expect(res.body.posts[0]).toEqual({
      id: bobPost,
      slug: 'bob-post',
      title: 'Bob post',
      excerpt: 'Bob body',
      readingMinutes: 1,
      tags: ['solo', 'many'],
      author: { id: bob.id, username: bob.username, image: `https://img.test/${bob.username}.png` },
      likeCount: 1,
      commentCount: 1,
      likedByMe: false,
      followingAuthor: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      publishedAt: expect.any(String),
    });
  });

  it('filters by tag and by author', async () => {
    const solo = await get('/posts?tag=solo').expect(200);
    expect(solo.body.posts.map((p: { id: string }) => p.id)).toEqual([bobPost]);
    const many = await get('/posts?tag=MANY&limit=50').expect(200);
    expect(many.body.total).toBe(26);
    // A tag is normalised as the posts service stores it (@postline/common/rules): full-width "ＳＯＬＯ" is solo.
    const wide = await get(`/posts?tag=${encodeURIComponent(' ＳＯＬＯ ')}`).expect(200);
    expect(wide.body.posts.map((p: { id: string }) => p.id)).toEqual([bobPost]);
    const byAnn = await get(`/posts?author=${ann.username}&limit=5`).expect(200);
    expect(byAnn.body).toMatchObject({ total: 25, totalPages: 5 });
    expect(byAnn.body.posts.every((p: { author: { id: string } }) => p.author.id === ann.id)).toBe(true);
    const both = await get(`/posts?author=${bob.username}&tag=many`).expect(200);
    expect(both.body.total).toBe(1);
    expect((await get('/posts?author=nobody_here').expect(200)).body.total).toBe(0);
  });

  it('adds likedByMe and followingAuthor for the signed-in viewer', async () => {
    const asCarl = await get('/posts?tag=solo').set('Authorization', bearerFor(carl)).expect(200);
    expect(asCarl.body.posts[0]).toMatchObject({ likedByMe: true, followingAuthor: true });
    const asAnn = await get('/posts?tag=solo').set('Cookie', sessionCookieFor(ann)).expect(200);
    expect(asAnn.body.posts[0]).toMatchObject({ likedByMe: false, followingAuthor: false });
  });

  it.each([
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['limit=500', 'limit'],
    ['limit=0', 'limit'],
    ['tag=%3Cscript%3E', 'tag'],
    ['tag=a%24b', 'tag'],
    ['tag=a&tag=b', 'tag'],
    ['author=no%20way', 'author'],
    ['sort=oldest', 'sort'],
  ])('answers 400 naming the parameter for %s', async (queryString, field) => {
    const res = await get(`/posts?${queryString}`).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });
});

describe('GET /api/query/posts/:idOrSlug', () => {
  const commentIds = (res: { body: { post: { comments: { id: string }[] } } }) =>
    res.body.post.comments.map((c) => c.id).sort();

  it('finds the post by id and by slug, with its body and approved comments for everyone', async () => {
    const byId = await get(`/posts/${bobPost}`).expect(200);
    const bySlug = await get(`/posts/${bobSlug}`).expect(200);
    expect(bySlug.body).toEqual(byId.body);
    expect(byId.body.post).toMatchObject({ id: bobPost, body: 'Bob **body**', commentCount: 1, likeCount: 1 });
    expect(byId.body.post.comments).toEqual([
      {
        id: comments.approved,
        postId: bobPost,
        author: { id: ann.id, username: ann.username },
        body: 'nice',
        status: 'approved',
        reason: '',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
  });

  it('shows a pending or rejected comment to its author, with status and reason, and to moderators', async () => {
    const asAnn = await get(`/posts/${bobPost}`).set('Authorization', bearerFor(ann)).expect(200);
    expect(commentIds(asAnn)).toEqual([comments.approved, comments.pending].sort());
    expect(asAnn.body.post.comments.find((c: { id: string }) => c.id === comments.pending)).toMatchObject({
      status: 'pending',
      reason: '',
    });
    const asCarl = await get(`/posts/${bobPost}`).set('Authorization', bearerFor(carl)).expect(200);
    expect(commentIds(asCarl)).toEqual([comments.approved, comments.rejected].sort());
    expect(asCarl.body.post.comments.find((c: { id: string }) => c.id === comments.rejected)).toMatchObject({
      status: 'rejected',
      reason: 'blocked word: orange',
    });
    const asBob = await get(`/posts/${bobPost}`).set('Authorization', bearerFor(bob)).expect(200);
    expect(commentIds(asBob)).toEqual([comments.approved]);
    const asMod = await get(`/posts/${bobPost}`).set('Authorization', bearerFor(mod)).expect(200);
    expect(commentIds(asMod)).toEqual(Object.values(comments).sort());
    expect(asMod.body.post.comments.find((c: { id: string }) => c.id === comments.rejected).reason).toBe(
      'blocked word: orange',
    );
  });

  it('answers 404 for unknown, malformed and deleted posts, and 400 for query parameters', async () => {
    await get('/posts/unknown-post').expect(404);
    await get('/posts/%24where').expect(404);
    await get(`/posts/${'x'.repeat(300)}`).expect(404);
    const res = await get(`/posts/${bobPost}?x=1`).expect(400);
    expect(res.body.errors).toEqual([{ field: 'x', message: 'Unknown field' }]);
  });
});

describe('GET /api/query/feed', () => {
  it('is for signed-in users only', async () => {
    const res = await get('/feed').expect(401);
    expect(res.body.errors[0].message).toBeDefined();
  });

  it('shows the posts of followed authors', async () => {
    const asCarl = await get('/feed').set('Authorization', bearerFor(carl)).expect(200);
    expect(asCarl.body).toMatchObject({ total: 1, page: 1, limit: 20, totalPages: 1 });
    expect(asCarl.body.posts[0]).toMatchObject({ id: bobPost, followingAuthor: true });
    const asAnn = await get('/feed').set('Authorization', bearerFor(ann)).expect(200);
    expect(asAnn.body).toMatchObject({ posts: [], total: 0, totalPages: 0 });
  });

  it('validates its parameters', async () => {
    const res = await get('/feed?limit=51&tag=x').set('Authorization', bearerFor(carl)).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'tag']);
  });
});

describe('GET /api/query/tags', () => {
  it('counts live posts per tag, most used first', async () => {
    const res = await get('/tags').expect(200);
    expect(res.body).toEqual({
      tags: [
        { tag: 'many', count: 26 },
        { tag: 'solo', count: 1 },
      ],
    });
  });
});

describe('GET /api/query/users/:username/posts', () => {
  it("shows the author's profile with counts and their posts", async () => {
    const res = await get(`/users/${bob.username}/posts`).set('Authorization', bearerFor(carl)).expect(200);
    expect(res.body.user).toEqual({
      id: bob.id,
      username: bob.username,
      bio: '',
      image: `https://img.test/${bob.username}.png`,
      followerCount: 1,
      followingCount: 0,
      followedByMe: true,
    });
    expect(res.body).toMatchObject({ total: 1, page: 1, limit: 20, totalPages: 1 });
    const annPage = await get(`/users/${ann.username}/posts?page=2&limit=10`).expect(200);
    expect(annPage.body.user).toMatchObject({ followedByMe: false, followerCount: 0 });
    expect(annPage.body.posts.map((p: { id: string }) => p.id)).toEqual(annPosts.slice(10, 20));
  });

  it('answers 404 for an unknown or malformed username and 400 for bad parameters', async () => {
    await get('/users/nobody_at_all/posts').expect(404);
    await get('/users/x%20y/posts').expect(404);
    const res = await get(`/users/${bob.username}/posts?page=0`).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'page' })]);
  });
});

describe('after post.deleted', () => {
  it('the post is gone from every list, its page, the tags and the feed', async () => {
    await h.events.publish(h.events.postDeleted({ id: bobPost, authorId: bob.id }));
    await eventually(async () => (await h.query.models.posts.findOne({ _id: bobPost }))?.deleted === true);
    // The tombstone is the handler's first write; the list counts, the comments and the caches follow it.
    await eventually(
      async () => (await get('/posts?tag=solo')).body.total === 0,
      10_000,
      'the tag list without the post',
    );
    await eventually(
      async () => (await h.query.models.comments.countDocuments({ postId: bobPost })) === 0,
      10_000,
      'the comments removed',
    );
    await get(`/posts/${bobPost}`).expect(404);
    await get(`/posts/${bobSlug}`).expect(404);
    expect((await get('/posts?tag=solo').expect(200)).body.total).toBe(0);
    expect((await get('/tags').expect(200)).body.tags).toEqual([{ tag: 'many', count: 25 }]);
    expect((await get('/feed').set('Authorization', bearerFor(carl)).expect(200)).body.total).toBe(0);
    expect((await get(`/users/${bob.username}/posts`).expect(200)).body.total).toBe(0);
    expect(await h.query.models.comments.countDocuments({ postId: bobPost })).toBe(0);
  });
});
