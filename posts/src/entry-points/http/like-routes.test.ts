import { bearerFor, testUser } from '@postline/common/testing';
import { startPosts, type PostsUnderTest } from '../../testing/start-posts';

let posts: PostsUnderTest;

beforeAll(async () => {
  posts = await startPosts();
});

afterAll(async () => {
  await posts.stop();
});

const author = testUser({ username: 'liked_author' });
const as = (user: ReturnType<typeof testUser>) => ['Authorization', bearerFor(user)] as const;

async function createPost(): Promise<string> {
  const res = await posts.http
    .post('/api/posts')
    .set(...as(author))
    .send({ title: 'Likeable', body: 'text' })
    .expect(201);
  return res.body.id;
}

const eventsOf = (id: string) =>
  posts.events.events
    .filter((e) => e.aggregateId === id)
    .map((e) => [e.subject, e.version, (e.data as { likeCount?: number }).likeCount]);

describe('POST /api/posts/:id/like and DELETE /api/posts/:id/like', () => {
  it('likes once per user: liking twice answers the same and announces nothing more', async () => {
    const id = await createPost();
    const reader = testUser();
    const first = await posts.http
      .post(`/api/posts/${id}/like`)
      .set(...as(reader))
      .expect(200);
    expect(first.body).toEqual({ postId: id, liked: true, likeCount: 1 });
    const again = await posts.http
      .post(`/api/posts/${id}/like`)
      .set(...as(reader))
      .expect(200);
    expect(again.body).toEqual({ postId: id, liked: true, likeCount: 1 });

    const liked = await posts.events.waitFor('post.liked', (e) => e.aggregateId === id);
    expect(liked).toMatchObject({ version: 1, data: { postId: id, userId: reader.id, likeCount: 1 } });
    const post = await posts.http.get(`/api/posts/${id}`).expect(200);
    expect(post.body).toMatchObject({ likeCount: 1, version: 1 });
    await posts.untilSettled();
    expect(eventsOf(id)).toEqual([
      ['post.created', 0, undefined],
      ['post.liked', 1, 1],
    ]);
  });

  it('unlikes once: unliking twice, or without a like, is harmless', async () => {
    const id = await createPost();
    const reader = testUser();
    const never = await posts.http
      .delete(`/api/posts/${id}/like`)
      .set(...as(reader))
      .expect(200);
    expect(never.body).toEqual({ postId: id, liked: false, likeCount: 0 });
    await posts.http
      .post(`/api/posts/${id}/like`)
      .set(...as(reader))
      .expect(200);
    const first = await posts.http
      .delete(`/api/posts/${id}/like`)
      .set(...as(reader))
      .expect(200);
    expect(first.body).toEqual({ postId: id, liked: false, likeCount: 0 });
    await posts.http
      .delete(`/api/posts/${id}/like`)
      .set(...as(reader))
      .expect(200);

    const unliked = await posts.events.waitFor('post.unliked', (e) => e.aggregateId === id);
    expect(unliked).toMatchObject({ version: 2, data: { postId: id, userId: reader.id, likeCount: 0 } });
    await posts.untilSettled();
    expect(eventsOf(id)).toEqual([
      ['post.created', 0, undefined],
      ['post.liked', 1, 1],
      ['post.unliked', 2, 0],
    ]);
  });

  it('counts likes of many users arriving at once, one event and one version each', async () => {
    const id = await createPost();
    const readers = Array.from({ length: 8 }, () => testUser());
    // each reader twice, all at once: still one like each
    const answers = await Promise.all(
      [...readers, ...readers].map((r) => posts.http.post(`/api/posts/${id}/like`).set(...as(r))),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect((await posts.http.get(`/api/posts/${id}`).expect(200)).body).toMatchObject({ likeCount: 8, version: 8 });
    await posts.events.waitFor('post.liked', (e) => e.aggregateId === id && e.version === 8);
    await posts.untilSettled();
    const likes = posts.events.of('post.liked').filter((e) => e.aggregateId === id);
    expect(likes.map((e) => e.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(likes.map((e) => e.data.likeCount).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(likes.map((e) => e.data.userId)).size).toBe(8);
  });

  it('lets authors like their own post', async () => {
    const id = await createPost();
    const res = await posts.http
      .post(`/api/posts/${id}/like`)
      .set(...as(author))
      .expect(200);
    expect(res.body.likeCount).toBe(1);
  });

  it('answers 401 signed out, 404 for unknown, malformed or deleted posts, 400 for unknown fields', async () => {
    const id = await createPost();
    const reader = testUser();
    expect((await posts.http.post(`/api/posts/${id}/like`).expect(401)).body).toEqual({
      errors: [{ message: 'Not signed in' }],
    });
    await posts.http.delete(`/api/posts/${id}/like`).expect(401);
    for (const bad of ['0123456789abcdef01234567', 'not-an-id']) {
      const res = await posts.http
        .post(`/api/posts/${bad}/like`)
        .set(...as(reader))
        .expect(404);
      expect(res.body).toEqual({ errors: [{ message: 'Post not found' }] });
      await posts.http
        .delete(`/api/posts/${bad}/like`)
        .set(...as(reader))
        .expect(404);
    }
    const unknown = await posts.http
      .post(`/api/posts/${id}/like`)
      .set(...as(reader))
      .send({ userId: 'someone-else' })
      .expect(400);
    expect(unknown.body).toEqual({ errors: [{ field: 'userId', message: 'Unknown field' }] });
    expect((await posts.http.get(`/api/posts/${id}`).expect(200)).body.likeCount).toBe(0);

    await posts.http
      .delete(`/api/posts/${id}`)
      .set(...as(author))
      .expect(200);
    await posts.http
      .post(`/api/posts/${id}/like`)
      .set(...as(reader))
      .expect(404);
    await posts.http
      .delete(`/api/posts/${id}/like`)
      .set(...as(reader))
      .expect(404);
    await posts.events.waitFor('post.deleted', (e) => e.aggregateId === id);
    await posts.untilSettled();
    expect(eventsOf(id).map(([subject]) => subject)).toEqual(['post.created', 'post.deleted']);
  });
});
