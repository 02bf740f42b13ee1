import { bearerFor, sessionCookieFor, testUser } from '@postline/common/testing';
import { startPosts, type PostsUnderTest } from '../../testing/start-posts';

let posts: PostsUnderTest;

beforeAll(async () => {
  posts = await startPosts();
});

afterAll(async () => {
  await posts.stop();
});

const author = testUser({ username: 'writer' });
const stranger = testUser({ username: 'stranger' });
const moderator = testUser({ username: 'mod', role: 'moderator' });
const as = (user: ReturnType<typeof testUser>) => ['Authorization', bearerFor(user)] as const;

let counter = 0;
function newPost(fields: Record<string, unknown> = {}) {
  counter += 1;
  return { title: `A post number ${counter}`, body: '# Hello\n\nSome *Markdown*.', tags: ['intro'], ...fields };
}

async function createPost(fields: Record<string, unknown> = {}, by = author) {
  const res = await posts.http
    .post('/api/posts')
    .set(...as(by))
    .send(newPost(fields))
    .expect(201);
  return res.body as { id: string; slug: string; version: number; [key: string]: unknown };
}

/** The posts of the database, to show a refused request changed nothing. */
const countPosts = () => posts.posts.countDocuments({});

describe('POST /api/posts', () => {
  it('creates the post for the signed-in author and announces post.created once, at version 0', async () => {
    const res = await posts.http
      .post('/api/posts')
      .set('Cookie', sessionCookieFor(author))
      .send({ title: '  Hello, World!  ', body: 'Body *text*', tags: [' Web Dev ', 'NodeJS', 'nodejs', 'c++'] })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      slug: 'hello-world',
      title: 'Hello, World!',
      body: 'Body *text*',
      tags: ['web-dev', 'nodejs', 'c++'],
      authorId: author.id,
      authorUsername: author.username,
      likeCount: 0,
      version: 0,
      createdAt: expect.any(String),
      updatedAt: res.body.createdAt,
      status: 'published',
      publishedAt: res.body.createdAt,
      publishAt: null,
    });

    const event = await posts.events.waitFor('post.created', (e) => e.aggregateId === res.body.id);
    expect(event).toMatchObject({
      producer: 'posts',
      version: 0,
      data: {
        id: res.body.id,
        authorId: author.id,
        authorUsername: author.username,
        title: 'Hello, World!',
        slug: 'hello-world',
        body: 'Body *text*',
        tags: ['web-dev', 'nodejs', 'c++'],
        createdAt: res.body.createdAt,
        updatedAt: res.body.createdAt,
        status: 'published',
        publishedAt: res.body.createdAt,
        publishAt: null,
      },
    });
    await posts.untilSettled();
    expect(posts.events.events.filter((e) => e.aggregateId === res.body.id)).toHaveLength(1);
  });

  it('treats tags as optional', async () => {
    const res = await posts.http
      .post('/api/posts')
      .set(...as(author))
      .send({ title: 'No tags', body: 'x' })
      .expect(201);
    expect(res.body.tags).toEqual([]);
  });

  it('keeps slugs unique: a taken slug gets a short suffix', async () => {
    const first = await createPost({ title: 'Same Title' });
    const second = await createPost({ title: 'same title!' });
    expect(first.slug).toBe('same-title');
    expect(second.slug).toMatch(/^same-title-[0-9a-f]{6}$/);
  });

  it("never tells a draft's title: a draft takes a suffixed slug, so its title leaves the plain slug free", async () => {
    const draft = await createPost({ title: 'Secret Plans', status: 'draft' }, author);
    const scheduled = await createPost({
      title: 'Secret Plans',
      publishAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect([draft.slug, scheduled.slug]).toEqual([
      expect.stringMatching(/^secret-plans-[0-9a-f]{6}$/),
      expect.stringMatching(/^secret-plans-[0-9a-f]{6}$/),
    ]);
    // A stranger's post with the same title gets the plain slug, as if no draft existed.
    expect((await createPost({ title: 'Secret plans!' }, stranger)).slug).toBe('secret-plans');
  });

  it('gives distinct slugs to posts with one title created at once', async () => {
    const created = await Promise.all([1, 2, 3, 4].map(() => createPost({ title: 'Racing Title' })));
    expect(new Set(created.map((p) => p.slug)).size).toBe(4);
    expect(created.map((p) => p.slug)).toContain('racing-title');
  });

  it.each([
    ['a title with nothing to transliterate', '你好', /^post(-[0-9a-f]{6})?$/],
    ['a title that looks like a post id', '0123456789abcdef01234567', /^post-0123456789abcdef01234567/],
    ['accents', 'Crème Brûlée für alle', /^creme-brulee-fur-alle(-[0-9a-f]{6})?$/],
  ])('derives a readable slug from %s', async (_name, title, slug) => {
    expect((await createPost({ title })).slug).toMatch(slug);
  });

  it('cuts a long title’s slug at a word boundary', async () => {
    const title = `${'word '.repeat(39)}end`; // 198 characters
    const { slug } = await createPost({ title });
    expect(slug.length).toBeLessThanOrEqual(80);
    expect(slug).toMatch(/^(word-)*word$/);
  });

  it('accepts a title of exactly 200 characters and a body of exactly 50 KB', async () => {
    await createPost({ title: 't'.repeat(200), body: 'b'.repeat(50 * 1024) });
  });

  it('answers 401 when signed out, creating nothing', async () => {
    const before = await countPosts();
    const res = await posts.http.post('/api/posts').send(newPost()).expect(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not signed in' }] });
    expect(await countPosts()).toBe(before);
  });

  it.each([
    ['title', 'missing', { title: undefined }, 'Title is required'],
    ['title', 'a number', { title: 42 }, 'Title is required'],
    ['title', 'blank', { title: '   ' }, 'Title must be 1 to 200 characters'],
    ['title', '201 characters', { title: 't'.repeat(201) }, 'Title must be 1 to 200 characters'],
    [
      'title',
      '101 emoji (202 UTF-16 units, what the event catalogue counts)',
      { title: '😀'.repeat(101) },
      'Title must be 1 to 200 characters',
    ],
    ['body', 'missing', { body: undefined }, 'Body is required'],
    ['body', 'a list', { body: ['not', 'text'] }, 'Body is required'],
    ['body', 'blank', { body: ' \n ' }, 'Body must not be empty'],
    ['body', '50 KB + 1 byte', { body: 'b'.repeat(50 * 1024 + 1) }, 'Body must be at most 50 KB'],
    ['body', '22,000 characters but 55,000 bytes', { body: 'é€'.repeat(11_000) }, 'Body must be at most 50 KB'],
    ['tags', 'a string', { tags: 'intro' }, 'Tags must be a list of strings'],
    ['tags', 'a number among them', { tags: ['ok', 7] }, 'Tags must be a list of strings'],
    ['tags', 'a blank tag', { tags: ['  '] }, 'Each tag must be 1 to 40 characters'],
    ['tags', 'a 41-character tag', { tags: ['x'.repeat(41)] }, 'Each tag must be 1 to 40 characters'],
    [
      'tags',
      'markup',
      { tags: ['<script>'] },
      'Tags may contain only letters, digits and + # . _ -, starting with a letter or digit',
    ],
    [
      'tags',
      'a leading dash',
      { tags: ['-dash-first'] },
      'Tags may contain only letters, digits and + # . _ -, starting with a letter or digit',
    ],
    [
      'tags',
      'eleven different tags',
      { tags: Array.from({ length: 11 }, (_, i) => `tag${i}`) },
      'At most 10 different tags',
    ],
  ])('rejects %s (%s) with 400 naming it, creating nothing', async (field, _what, change, message) => {
    const before = await countPosts();
    const res = await posts.http
      .post('/api/posts')
      .set(...as(author))
      .send(newPost(change))
      .expect(400);
    expect(res.body).toEqual({ errors: [{ field, message }] });
    expect(await countPosts()).toBe(before);
  });

  it('counts tags after normalisation: eleven spellings of ten tags are fine', async () => {
    const tags = [...Array.from({ length: 10 }, (_, i) => `tag${i}`), 'TAG0'];
    expect((await createPost({ tags })).tags).toHaveLength(10);
  });

  it('names every invalid field at once, and unknown fields too', async () => {
    const res = await posts.http
      .post('/api/posts')
      .set(...as(author))
      .send({ title: '', body: 5, tags: [1], authorId: stranger.id, likeCount: 99 })
      .expect(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'title' }),
        expect.objectContaining({ field: 'body' }),
        expect.objectContaining({ field: 'tags' }),
        { field: 'authorId', message: 'Unknown field' },
        { field: 'likeCount', message: 'Unknown field' },
      ]),
    );
    expect(res.body.errors).toHaveLength(5);
  });

  it('answers malformed JSON with 400, a JSON array with 400, a form with 415 and a huge body with 413', async () => {
    const before = await countPosts();
    const malformed = await posts.http
      .post('/api/posts')
      .set(...as(author))
      .set('Content-Type', 'application/json')
      .send('{"title": ');
    expect(malformed.status).toBe(400);
    const array = await posts.http
      .post('/api/posts')
      .set(...as(author))
      .send([newPost()]);
    expect(array.status).toBe(400);
    const form = await posts.http
      .post('/api/posts')
      .set(...as(author))
      .type('form')
      .send('title=x&body=y');
    expect(form.status).toBe(415);
    const huge = await posts.http
      .post('/api/posts')
      .set(...as(author))
      .send(newPost({ body: 'b'.repeat(200_000) }));
    expect(huge.status).toBe(413);
    expect(await countPosts()).toBe(before);
  });
});

describe('GET /api/posts/:id', () => {
  it('answers the post to anyone', async () => {
    const post = await createPost();
    const res = await posts.http.get(`/api/posts/${post.id}`).expect(200);
    expect(res.body).toEqual(post);
  });

  it.each([
    ['an unknown id', '0123456789abcdef01234567'],
    ['a malformed id', 'not-an-id'],
    ['an upper-case id', 'ABCDEF0123456789ABCDEF01'],
    ['an id with a NoSQL operator', '%7B%22%24ne%22%3A1%7D'],
  ])('answers 404 for %s', async (_name, id) => {
    const res = await posts.http.get(`/api/posts/${id}`).expect(404);
    expect(res.body).toEqual({ errors: [{ message: 'Post not found' }] });
  });
});

describe('PUT /api/posts/:id', () => {
  it('lets the author edit; the slug stays; post.updated carries version 1', async () => {
    const post = await createPost({ title: 'Before the edit' });
    const res = await posts.http
      .put(`/api/posts/${post.id}`)
      .set(...as(author))
      .send({ title: 'After the edit', tags: ['Edited', 'edited'] })
      .expect(200);
    expect(res.body).toMatchObject({
      id: post.id,
      slug: post.slug,
      title: 'After the edit',
      body: post.body,
      tags: ['edited'],
      version: 1,
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(post.createdAt as string));
    const event = await posts.events.waitFor('post.updated', (e) => e.aggregateId === post.id);
    expect(event).toMatchObject({
      version: 1,
      data: { title: 'After the edit', slug: post.slug, tags: ['edited'], updatedAt: res.body.updatedAt },
    });
  });

  it('lets a moderator edit someone else’s post, keeping the author', async () => {
    const post = await createPost();
    const res = await posts.http
      .put(`/api/posts/${post.id}`)
      .set(...as(moderator))
      .send({ body: 'Moderated text' })
      .expect(200);
    expect(res.body).toMatchObject({ body: 'Moderated text', authorId: author.id, authorUsername: author.username });
    const event = await posts.events.waitFor('post.updated', (e) => e.aggregateId === post.id);
    expect(event.data).toMatchObject({ authorId: author.id, authorUsername: author.username });
  });

  it('changes nothing and announces nothing when the edit changes nothing', async () => {
    const post = await createPost({ tags: ['same'] });
    const empty = await posts.http
      .put(`/api/posts/${post.id}`)
      .set(...as(author))
      .send({})
      .expect(200);
    const same = await posts.http
      .put(`/api/posts/${post.id}`)
      .set(...as(author))
      .send({ title: ` ${post.title as string} `, tags: ['SAME'] })
      .expect(200);
    expect(empty.body.version).toBe(0);
    expect(same.body.version).toBe(0);
    await posts.untilSettled();
    expect(posts.events.events.filter((e) => e.aggregateId === post.id).map((e) => e.subject)).toEqual([
      'post.created',
    ]);
  });

  it('answers 401 signed out, 403 to others and 404 for unknown or malformed ids, changing nothing', async () => {
    const post = await createPost();
    await posts.http.put(`/api/posts/${post.id}`).send({ title: 'x' }).expect(401);
    const forbidden = await posts.http
      .put(`/api/posts/${post.id}`)
      .set(...as(stranger))
      .send({ title: 'x' })
      .expect(403);
    expect(forbidden.body).toEqual({ errors: [{ message: 'Only the author or a moderator may change this post' }] });
    await posts.http
      .put('/api/posts/0123456789abcdef01234567')
      .set(...as(author))
      .send({ title: 'x' })
      .expect(404);
    await posts.http
      .put('/api/posts/nope')
      .set(...as(author))
      .send({ title: 'x' })
      .expect(404);
    expect((await posts.http.get(`/api/posts/${post.id}`).expect(200)).body).toEqual(post);
  });

  it.each([
    ['title', 'empty', { title: '' }],
    ['title', 'null', { title: null }],
    ['body', 'over 50 KB', { body: 'b'.repeat(50 * 1024 + 1) }],
    ['tags', 'with a space and !', { tags: ['ok', 'not ok!'] }],
    ['slug', 'not editable', { slug: 'my-own-slug' }],
    ['authorId', 'not editable', { authorId: 'someone' }],
  ])('rejects %s (%s) with 400 naming it, changing nothing', async (field, _what, change) => {
    const post = await createPost();
    const res = await posts.http
      .put(`/api/posts/${post.id}`)
      .set(...as(author))
      .send(change)
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
    expect((await posts.http.get(`/api/posts/${post.id}`).expect(200)).body).toEqual(post);
  });
});

describe('DELETE /api/posts/:id', () => {
  it('lets the author delete: 200 {}, then 404 for everything about the post', async () => {
    const post = await createPost();
    const res = await posts.http
      .delete(`/api/posts/${post.id}`)
      .set(...as(author))
      .expect(200);
    expect(res.body).toEqual({});
    await posts.http.get(`/api/posts/${post.id}`).expect(404);
    await posts.http
      .put(`/api/posts/${post.id}`)
      .set(...as(author))
      .send({ title: 'again' })
      .expect(404);
    await posts.http
      .delete(`/api/posts/${post.id}`)
      .set(...as(author))
      .expect(404);
    await posts.http
      .post(`/api/posts/${post.id}/like`)
      .set(...as(stranger))
      .expect(404);
    await posts.http
      .delete(`/api/posts/${post.id}/like`)
      .set(...as(stranger))
      .expect(404);
    const event = await posts.events.waitFor('post.deleted', (e) => e.aggregateId === post.id);
    expect(event).toMatchObject({ version: 1, data: { id: post.id, authorId: author.id } });
  });

  it('keeps a tombstone with the content erased and the slug reserved', async () => {
    const post = await createPost({ title: 'Gone but reserved' });
    await posts.http
      .delete(`/api/posts/${post.id}`)
      .set(...as(author))
      .expect(200);
    const tombstone = await posts.posts.findById(post.id).lean();
    expect(tombstone).toMatchObject({
      slug: 'gone-but-reserved',
      title: '',
      body: '',
      tags: [],
      deletedAt: expect.any(Date),
      version: 1,
    });
    const next = await createPost({ title: 'Gone but reserved' });
    expect(next.slug).toMatch(/^gone-but-reserved-[0-9a-f]{6}$/);
  });

  it('lets a moderator delete someone else’s post', async () => {
    const post = await createPost();
    await posts.http
      .delete(`/api/posts/${post.id}`)
      .set(...as(moderator))
      .expect(200);
    await posts.http.get(`/api/posts/${post.id}`).expect(404);
  });

  it('answers 401 signed out, 403 to others, 404 for unknown or malformed ids, and 400 for unknown fields', async () => {
    const post = await createPost();
    await posts.http.delete(`/api/posts/${post.id}`).expect(401);
    await posts.http
      .delete(`/api/posts/${post.id}`)
      .set(...as(stranger))
      .expect(403);
    await posts.http
      .delete('/api/posts/0123456789abcdef01234567')
      .set(...as(author))
      .expect(404);
    await posts.http
      .delete('/api/posts/%24where')
      .set(...as(author))
      .expect(404);
    const unknown = await posts.http
      .delete(`/api/posts/${post.id}`)
      .set(...as(author))
      .send({ force: true })
      .expect(400);
    expect(unknown.body).toEqual({ errors: [{ field: 'force', message: 'Unknown field' }] });
    await posts.http.get(`/api/posts/${post.id}`).expect(200);
  });
});

describe('events of one post', () => {
  it('announces exactly one event per change, versions rising by one, post.deleted last', async () => {
    const post = await createPost();
    const liker = testUser();
    const path = `/api/posts/${post.id}`;
    await posts.http
      .put(path)
      .set(...as(author))
      .send({ body: 'Edited' })
      .expect(200);
    await posts.http
      .put(path)
      .set(...as(author))
      .send({ body: 'Edited' })
      .expect(200); // no change
    await posts.http
      .post(`${path}/like`)
      .set(...as(liker))
      .expect(200);
    await posts.http
      .post(`${path}/like`)
      .set(...as(liker))
      .expect(200); // again: harmless
    await posts.http
      .delete(`${path}/like`)
      .set(...as(liker))
      .expect(200);
    await posts.http
      .delete(`${path}/like`)
      .set(...as(liker))
      .expect(200); // again: harmless
    await posts.http
      .delete(path)
      .set(...as(author))
      .expect(200);
    await posts.http
      .post(`${path}/like`)
      .set(...as(liker))
      .expect(404);

    await posts.events.waitFor('post.deleted', (e) => e.aggregateId === post.id);
    await posts.untilSettled();
    const events = posts.events.events.filter((e) => e.aggregateId === post.id);
    expect(events.map((e) => [e.subject, e.version])).toEqual([
      ['post.created', 0],
      ['post.updated', 1],
      ['post.liked', 2],
      ['post.unliked', 3],
      ['post.deleted', 4],
    ]);
    const stored = await posts.posts.findById(post.id).lean();
    expect(stored).toMatchObject({ version: 4, outbox: [] });
  });
});

describe('errors', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const res = await posts.http.get('/api/posts/a/b/c').expect(404);
    expect(res.body.errors[0].message).toMatch(/No route/);
  });
});
