import { bearerFor, eventually, sessionCookieFor, testUser } from '@postline/common/testing';
import { listenerHarness, type ListenerHarness } from '../../testing/listener-harness';

/**
 * The cached answers as clients see them: validators and 304s, the personal
 * parts never taken from another reader's answer, and the front door (plain
 * requests) answering exactly as the Express routes (everything else) do.
 */
let h: ListenerHarness;
const author = testUser({ username: 'cache_author' });
const fan = testUser({ username: 'cache_fan' });
const other = testUser({ username: 'cache_other' });
const mod = testUser({ username: 'cache_mod', role: 'moderator' });
let postId = '';
let pendingId = '';

beforeAll(async () => {
  h = await listenerHarness();
  const e = h.events;
  await e.publish(
    ...[author, fan, other, mod].map((u) => e.userCreated({ id: u.id, username: u.username, role: u.role })),
  );
  await e.publish(e.followed(fan.id, author.id));
  const post = e.postCreated(author, { title: 'Cached', tags: ['cache'] });
  postId = post.data.id;
  const approved = e.commentCreated(postId, other, { body: 'public words' });
  const pending = e.commentCreated(postId, fan, { body: 'my words, waiting' });
  pendingId = pending.data.id;
  await e.publish(post, approved, pending, e.moderated(approved.data, 0, 'approved'), e.liked(postId, fan.id, 1));
  await eventually(async () => (await h.query.models.posts.findOne({ _id: postId }))?.commentCount === 1);
  await eventually(async () => (await h.query.models.posts.findOne({ _id: postId }))?.likeCount === 1);
  await eventually(async () => (await h.query.models.users.findOne({ _id: fan.id }))?.following.length === 1);
});
afterAll(async () => {
  await h.close();
});

const get = (path: string) => h.query.http.get(`/api/query${path}`);

describe('validators', () => {
  it('answer with a strong ETag, private no-cache, and 304 for a matching If-None-Match', async () => {
    const first = await get('/posts').expect(200);
    expect(first.headers).toMatchObject({
      etag: expect.stringMatching(/^"[\w-]+"$/),
      'cache-control': 'private, no-cache',
      vary: 'Cookie, Authorization',
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'x-request-id': expect.any(String),
    });
    const etag = first.headers.etag!;
    const again = await get('/posts').set('If-None-Match', etag).expect(304);
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(etag);
    await get('/posts').set('If-None-Match', `W/${etag}`).expect(304);
    await get('/posts').set('If-None-Match', `"other", ${etag}`).expect(304);
    await get('/posts').set('If-None-Match', '"other"').expect(200);
    await get('/posts').set('If-None-Match', etag).set('Cache-Control', 'no-cache').expect(200);
  });

  it('change when the answer changes', async () => {
    const before = (await get(`/posts/${postId}`).expect(200)).headers.etag!;
    await h.events.publish(h.events.liked(postId, 'someone000000000000000001', 2));
    await eventually(async () => (await get(`/posts/${postId}`)).body.post.likeCount === 2);
    const after = await get(`/posts/${postId}`).set('If-None-Match', before).expect(200);
    expect(after.headers.etag).not.toBe(before);
  });
});

describe('personal parts', () => {
  it('are never stored: a signed-in reader gets no-store, from the front door and from Express alike', async () => {
    for (const path of ['/posts?limit=20', '/posts?limit=020', `/posts/${postId}`, '/feed', '/drafts']) {
      const res = await get(path).set('Authorization', bearerFor(other)).expect(200);
      expect([path, res.headers['cache-control'], res.headers['x-content-type-options']]).toEqual([
        path,
        'no-store',
        'nosniff',
      ]);
    }
  });

  it('are overlaid per reader, with an ETag of their own, and never leak to others', async () => {
    const anonymous = await get(`/posts/${postId}`).expect(200);
    const asFan = await get(`/posts/${postId}`).set('Authorization', bearerFor(fan)).expect(200);
    const asOther = await get(`/posts/${postId}`).set('Cookie', sessionCookieFor(other)).expect(200);
    const asMod = await get(`/posts/${postId}`).set('Authorization', bearerFor(mod)).expect(200);
    const again = await get(`/posts/${postId}`).expect(200);

    expect(asFan.body.post).toMatchObject({ likedByMe: true, followingAuthor: true });
    expect(asFan.body.post.comments.map((c: { id: string }) => c.id)).toContain(pendingId);
    for (const res of [anonymous, asOther, again]) {
      expect(res.body.post).toMatchObject({ likedByMe: false, followingAuthor: false });
      expect(res.body.post.comments.map((c: { id: string }) => c.id)).not.toContain(pendingId);
    }
    expect(asOther.headers.etag).toBe(anonymous.headers.etag);
    expect(again.text).toBe(anonymous.text);
    expect(asFan.headers.etag).not.toBe(anonymous.headers.etag);
    expect(asMod.body.post.comments).toHaveLength(2);
    // each reader's validator is their own
    await get(`/posts/${postId}`)
      .set('Authorization', bearerFor(fan))
      .set('If-None-Match', asFan.headers.etag!)
      .expect(304);
    await get(`/posts/${postId}`)
      .set('Authorization', bearerFor(fan))
      .set('If-None-Match', anonymous.headers.etag!)
      .expect(200);
  });

  it('follow the reader: a new follow shows at once, in lists and on user pages', async () => {
    const asOther = () => get('/posts?tag=cache').set('Authorization', bearerFor(other));
    expect((await asOther().expect(200)).body.posts[0].followingAuthor).toBe(false);
    await h.events.publish(h.events.followed(other.id, author.id));
    await eventually(async () => (await asOther()).body.posts[0].followingAuthor === true);
    const page = await get(`/users/${author.username}/posts`).set('Authorization', bearerFor(other)).expect(200);
    expect(page.body.user).toMatchObject({ followedByMe: true, followerCount: 2 });
    expect((await get(`/users/${author.username}/posts`).expect(200)).body.user.followedByMe).toBe(false);
  });
});

describe('the front door and the Express routes', () => {
  it('answer the same bytes, whichever takes the request', async () => {
    // `limit=020` is valid but not plain: Express answers it; `limit=20` is the front door's.
    for (const [plain, other] of [
      ['/posts?limit=20', '/posts?limit=020'],
      ['/posts?tag=cache', '/posts?tag=CACHE%20'],
      [`/users/${author.username}/posts`, `/users/${author.username.toUpperCase()}/posts`],
    ]) {
      const [a, b] = await Promise.all([get(plain!).expect(200), get(other!).expect(200)]);
      expect(b.text).toBe(a.text);
      expect(b.headers.etag).toBe(a.headers.etag);
      expect(b.headers['cache-control']).toBe(a.headers['cache-control']);
      await get(other!).set('If-None-Match', a.headers.etag!).expect(304);
    }
    const head = await h.query.http.head(`/api/query/posts/${postId}`).expect(200);
    expect(head.headers.etag).toBe((await get(`/posts/${postId}`)).headers.etag);
  });

  it('leave errors to Express: 404s and 400s in the usual JSON', async () => {
    expect((await get('/posts/no-such-post').expect(404)).body.errors[0].message).toBe('Post not found');
    expect((await get('/users/no_such_user/posts').expect(404)).body.errors[0].message).toBe('User not found');
    expect((await get('/posts?limit=51').expect(400)).body.errors[0].field).toBe('limit');
    expect((await get('/tags?x=1').expect(400)).body.errors[0].field).toBe('x');
  });
});

describe('the metrics', () => {
  it('count the front door answers under the route patterns Express would have matched', async () => {
    const count = async (route: string, status: string) => {
      const text = await (await fetch(`http://127.0.0.1:${h.query.service.metricsPort}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('postline_http_request_duration_seconds_count{') &&
            l.includes(`route="${route}"`) &&
            l.includes(`status="${status}"`) &&
            l.includes('method="GET"'),
        );
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const before = [await count('/api/query/posts', '200'), await count('/api/query/posts/:idOrSlug', '200')];
    const etag = (await get('/posts').expect(200)).headers.etag!;
    await get('/posts').set('If-None-Match', etag).expect(304);
    await get(`/posts/${postId}`).expect(200);
    expect([
      await count('/api/query/posts', '200'),
      await count('/api/query/posts', '304'),
      await count('/api/query/posts/:idOrSlug', '200'),
    ]).toEqual([before[0]! + 1, expect.any(Number), before[1]! + 1]);
    expect(await count('/api/query/posts', '304')).toBeGreaterThan(0);
  });
});
