import { bearerFor, eventually, testUser } from '@postline/common/testing';
import { AuthorRepository } from '../../data-access/author-repository';
import { PostRepository } from '../../data-access/post-repository';
import { Posts } from '../../domain/posts';
import { startPosts, type PostsUnderTest } from '../../testing/start-posts';

// Two replicas of posts on one database and one stream, each running the due-time check often.
let posts: PostsUnderTest;
let replica: PostsUnderTest;

beforeAll(async () => {
  posts = await startPosts({ overrides: { POSTS_DUE_CHECK_MS: '200' } });
  replica = await startPosts({ namespace: posts.namespace, overrides: { POSTS_DUE_CHECK_MS: '200' } });
});

afterAll(async () => {
  await replica?.stop();
  await posts?.stop();
});

const author = testUser({ username: 'drafter' });
const reader = testUser({ username: 'reader' });
const moderator = testUser({ username: 'mod', role: 'moderator' });
const as = (user: ReturnType<typeof testUser>) => ['Authorization', bearerFor(user)] as const;

let counter = 0;
async function create(fields: Record<string, unknown> = {}, by = author) {
  counter += 1;
  const res = await posts.http
    .post('/api/posts')
    .set(...as(by))
    .send({ title: `Draft number ${counter}`, body: 'Not ready *yet*.', tags: ['wip'], ...fields })
    .expect(201);
  return res.body as {
    id: string;
    version: number;
    status: string;
    publishedAt: string | null;
    publishAt: string | null;
  };
}

const eventsOf = (id: string) => posts.events.events.filter((e) => e.aggregateId === id);
const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('drafts', () => {
  it('POST without a status publishes at once, as it always did', async () => {
    const post = await create();
    expect(post).toMatchObject({ status: 'published', publishedAt: expect.any(String), publishAt: null });
    const event = await posts.events.waitFor('post.created', (e) => e.aggregateId === post.id);
    expect(event.data).toMatchObject({ status: 'published', publishedAt: post.publishedAt, publishAt: null });
  });

  it("status 'draft' creates a draft, announced as one, that only its author sees", async () => {
    const draft = await create({ status: 'draft' });
    expect(draft).toMatchObject({ status: 'draft', publishedAt: null, publishAt: null, version: 0 });
    const event = await posts.events.waitFor('post.created', (e) => e.aggregateId === draft.id);
    expect(event.data).toMatchObject({ status: 'draft', publishedAt: null, publishAt: null });

    await posts.http
      .get(`/api/posts/${draft.id}`)
      .set(...as(author))
      .expect(200);
    await posts.http.get(`/api/posts/${draft.id}`).expect(404);
    await posts.http
      .get(`/api/posts/${draft.id}`)
      .set(...as(reader))
      .expect(404);
    await posts.http
      .post(`/api/posts/${draft.id}/like`)
      .set(...as(reader))
      .expect(404);
    await posts.http
      .put(`/api/posts/${draft.id}`)
      .set(...as(moderator))
      .send({ title: 'Nope' })
      .expect(404);
    await posts.http
      .post(`/api/posts/${draft.id}/publish`)
      .set(...as(reader))
      .expect(404);

    // The author edits the draft as any post.
    const edited = await posts.http
      .put(`/api/posts/${draft.id}`)
      .set(...as(author))
      .send({ body: 'Ready.' })
      .expect(200);
    expect(edited.body).toMatchObject({ status: 'draft', version: 1 });
    const updated = await posts.events.waitFor('post.updated', (e) => e.aggregateId === draft.id && e.version === 1);
    expect(updated.data).toMatchObject({ status: 'draft', body: 'Ready.' });
  });

  it('publish announces post.updated with the publication once; publishing again is a no-op', async () => {
    const draft = await create({ status: 'draft' });
    const res = await posts.http
      .post(`/api/posts/${draft.id}/publish`)
      .set(...as(author))
      .expect(200);
    expect(res.body).toMatchObject({
      status: 'published',
      publishedAt: expect.any(String),
      publishAt: null,
      version: 1,
    });
    const event = await posts.events.waitFor('post.updated', (e) => e.aggregateId === draft.id && e.version === 1);
    expect(event.data).toMatchObject({ status: 'published', publishedAt: res.body.publishedAt, publishAt: null });
    // Content unchanged: updatedAt still means "content last edited".
    expect(res.body.updatedAt).toBe(res.body.createdAt);

    const again = await posts.http
      .post(`/api/posts/${draft.id}/publish`)
      .set(...as(author))
      .expect(200);
    expect(again.body.version).toBe(1);
    await posts.http
      .get(`/api/posts/${draft.id}`)
      .set(...as(reader))
      .expect(200);
    await posts.untilSettled();
    expect(eventsOf(draft.id)).toHaveLength(2);
  });

  it('unpublish takes a post back to a draft (the author or a moderator); others get 403', async () => {
    const post = await create();
    await posts.http
      .post(`/api/posts/${post.id}/unpublish`)
      .set(...as(reader))
      .expect(403);
    const res = await posts.http
      .post(`/api/posts/${post.id}/unpublish`)
      .set(...as(moderator))
      .expect(200);
    expect(res.body).toMatchObject({ status: 'draft', publishedAt: null, version: 1 });
    const event = await posts.events.waitFor('post.updated', (e) => e.aggregateId === post.id && e.version === 1);
    expect(event.data).toMatchObject({ status: 'draft', publishedAt: null });
    await posts.http
      .get(`/api/posts/${post.id}`)
      .set(...as(reader))
      .expect(404);
    // Unpublishing a draft that is not scheduled changes nothing.
    await posts.http
      .post(`/api/posts/${post.id}/unpublish`)
      .set(...as(author))
      .expect(200);
    await posts.untilSettled();
    expect(eventsOf(post.id)).toHaveLength(2);
  });

  it('only the author publishes or schedules', async () => {
    const post = await create();
    await posts.http
      .post(`/api/posts/${post.id}/unpublish`)
      .set(...as(author))
      .expect(200);
    // A moderator may take a post down but not put it up (and cannot even see the draft).
    await posts.http
      .post(`/api/posts/${post.id}/publish`)
      .set(...as(moderator))
      .expect(404);
    await posts.http.post(`/api/posts/${post.id}/publish`).expect(401);
  });

  it('refuses bad publication input with a 400 naming the field, changing nothing', async () => {
    const before = await posts.posts.countDocuments({});
    const bad = async (fields: Record<string, unknown>, field: string) => {
      const res = await posts.http
        .post('/api/posts')
        .set(...as(author))
        .send({ title: 'Bad', body: 'Bad', ...fields })
        .expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad({ status: 'scheduled' }, 'status');
    await bad({ status: 'published', publishAt: inMinutes(10) }, 'status');
    await bad({ publishAt: new Date(Date.now() - 1000).toISOString() }, 'publishAt');
    await bad({ publishAt: 'tomorrow' }, 'publishAt');
    await bad({ publishAt: '2031-01-01T09:00:00' }, 'publishAt'); // no time zone
    await bad({ publishAt: new Date(Date.now() + 400 * 24 * 3600_000).toISOString() }, 'publishAt');
    await bad({ publishAt: 12 }, 'publishAt');
    expect(await posts.posts.countDocuments({})).toBe(before);

    const draft = await create({ status: 'draft' });
    await posts.http
      .post(`/api/posts/${draft.id}/schedule`)
      .set(...as(author))
      .send({})
      .expect(400);
    await posts.http
      .post(`/api/posts/${draft.id}/schedule`)
      .set(...as(author))
      .send({ publishAt: inMinutes(5), extra: 1 })
      .expect(400);
    const published = await create();
    const res = await posts.http
      .post(`/api/posts/${published.id}/schedule`)
      .set(...as(author))
      .send({ publishAt: inMinutes(5) })
      .expect(409);
    expect(res.body.errors[0].field).toBe('publishAt');
    await posts.untilSettled();
    expect(eventsOf(draft.id)).toHaveLength(1);
    expect(eventsOf(published.id)).toHaveLength(1);
  });
});

describe('posts stored before drafts existed', () => {
  it('read as published at their creation, and say so in their next event', async () => {
    const post = await create();
    // As such a document was stored: no status, no publication times.
    await posts.posts.collection.updateOne({ _id: post.id } as never, {
      $unset: { status: '', publishedAt: '', publishAt: '' },
    });
    const read = await posts.http
      .get(`/api/posts/${post.id}`)
      .set(...as(reader))
      .expect(200);
    expect(read.body).toMatchObject({ status: 'published', publishedAt: read.body.createdAt, publishAt: null });

    await posts.http
      .put(`/api/posts/${post.id}`)
      .set(...as(author))
      .send({ title: 'Edited old post' })
      .expect(200);
    const event = await posts.events.waitFor('post.updated', (e) => e.aggregateId === post.id);
    expect(event.data).toMatchObject({ status: 'published', publishedAt: read.body.createdAt, publishAt: null });
  });
});

describe('scheduling', () => {
  const useCase = (s: PostsUnderTest) =>
    new Posts(
      new PostRepository(s.service.context.db, s.service.context.relay),
      new AuthorRepository(s.service.context.db),
    );

  it('schedules a draft (creation or later), moves and cancels the time', async () => {
    const at = inMinutes(60);
    const scheduled = await create({ publishAt: at });
    expect(scheduled).toMatchObject({ status: 'draft', publishAt: at, publishedAt: null });

    const draft = await create({ status: 'draft' });
    const later = inMinutes(120);
    const res = await posts.http
      .post(`/api/posts/${draft.id}/schedule`)
      .set(...as(author))
      .send({ publishAt: later })
      .expect(200);
    expect(res.body).toMatchObject({ status: 'draft', publishAt: later, version: 1 });
    const event = await posts.events.waitFor('post.updated', (e) => e.aggregateId === draft.id && e.version === 1);
    expect(event.data).toMatchObject({ status: 'draft', publishAt: later });

    const cancelled = await posts.http
      .post(`/api/posts/${draft.id}/unpublish`)
      .set(...as(author))
      .expect(200);
    expect(cancelled.body).toMatchObject({ status: 'draft', publishAt: null, version: 2 });
  });

  it('publishes a due draft without anyone present, exactly once across two replicas', async () => {
    const due = await create({ publishAt: new Date(Date.now() + 1500).toISOString() });
    const found = await eventually(
      () => eventsOf(due.id).find((e) => e.subject === 'post.updated'),
      10_000,
      'publication',
    );
    expect(found.data).toMatchObject({ status: 'published', publishAt: null });
    // One replica published it; a check by either one now finds nothing left to publish.
    for (const instance of [posts, replica]) expect(await useCase(instance).publishDue()).not.toContain(due.id);
    await posts.untilSettled(); // one database and one durable consumer: this covers the replica too
    expect(eventsOf(due.id).map((e) => [e.subject, e.version])).toEqual([
      ['post.created', 0],
      ['post.updated', 1],
    ]);
    await posts.http
      .get(`/api/posts/${due.id}`)
      .set(...as(reader))
      .expect(200);
  });

  it('two replicas racing over the same due drafts publish each exactly once', async () => {
    // Scheduled far enough ahead that the timers leave them alone; the race is run by hand, at a later "now".
    const ids = await Promise.all(Array.from({ length: 12 }, () => create({ publishAt: inMinutes(30) }))).then((all) =>
      all.map((p) => p.id),
    );
    const now = new Date(Date.now() + 31 * 60_000);
    const [a, b, c] = await Promise.all([
      useCase(posts).publishDue(now),
      useCase(replica).publishDue(now),
      useCase(replica).publishDue(now),
    ]);
    const mine = (list: string[]) => list.filter((id) => ids.includes(id));
    const winners = [...mine(a), ...mine(b), ...mine(c)];
    expect(winners.sort()).toEqual([...ids].sort());

    await posts.untilSettled();
    for (const id of ids) {
      expect(eventsOf(id).map((e) => [e.subject, e.version])).toEqual([
        ['post.created', 0],
        ['post.updated', 1],
      ]);
      const stored = await posts.posts.findById(id).lean();
      expect(stored).toMatchObject({ status: 'published', publishAt: null, version: 1 });
    }
  });
});
