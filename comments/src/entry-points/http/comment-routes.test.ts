import { bearerFor, eventually, testUser } from '@postline/common/testing';
import { factory, knownPost } from '../../testing/fixtures';
import { startComments, type CommentsUnderTest } from '../../testing/start-comments';

let app: CommentsUnderTest;

beforeAll(async () => {
  app = await startComments();
});

afterAll(async () => {
  await app.stop();
});

const alice = testUser({ username: 'alice' });
const bob = testUser({ username: 'bob' });
const moderator = testUser({ username: 'mod', role: 'moderator' });

async function createComment(postId: string, body = 'A kind word', user = alice) {
  const res = await app.http
    .post('/api/comments')
    .set('Authorization', bearerFor(user))
    .send({ postId, body })
    .expect(201);
  return res.body as { id: string; postId: string; version: number; body: string; status: string };
}

function eventsOf(commentId: string) {
  return app.events.events.filter((e) => e.subject.startsWith('comment.') && e.aggregateId === commentId);
}

describe('POST /api/comments', () => {
  it('creates a pending comment and announces comment.created once, at version 0', async () => {
    const post = await knownPost(app);
    const res = await app.http
      .post('/api/comments')
      .set('Authorization', bearerFor(alice))
      .send({ postId: post.id, body: '  Nice post!  ' })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      postId: post.id,
      authorId: alice.id,
      authorUsername: 'alice',
      body: 'Nice post!',
      status: 'pending',
      reason: '',
      version: 0,
      createdAt: expect.any(String),
      updatedAt: res.body.createdAt,
    });
    const event = await app.events.waitFor('comment.created', (e) => e.aggregateId === res.body.id);
    expect(event).toMatchObject({
      producer: 'comments',
      version: 0,
      data: { id: res.body.id, postId: post.id, authorId: alice.id, body: 'Nice post!', status: 'pending', reason: '' },
    });
    await app.untilSettled();
    expect(eventsOf(res.body.id)).toHaveLength(1);
  });

  it('answers 401 when signed out, creating nothing', async () => {
    const post = await knownPost(app);
    const res = await app.http.post('/api/comments').send({ postId: post.id, body: 'hello' }).expect(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not signed in' }] });
    expect(await app.comments.countDocuments({ postId: post.id })).toBe(0);
  });

  it('answers 404 for an unknown post, a malformed post id, and a deleted post', async () => {
    for (const postId of ['000000000000000000000000', 'not-an-id', '$where']) {
      const res = await app.http
        .post('/api/comments')
        .set('Authorization', bearerFor(alice))
        .send({ postId, body: 'hi' })
        .expect(404);
      expect(res.body).toEqual({ errors: [{ message: 'Post not found' }] });
    }
    const post = await knownPost(app);
    await app.bus.publish(factory.postDeleted(post));
    await eventually(
      async () => (await app.posts.findById(post.id))?.deleted === true,
      10_000,
      'post deleted in the replica',
    );
    await app.http
      .post('/api/comments')
      .set('Authorization', bearerFor(alice))
      .send({ postId: post.id, body: 'hi' })
      .expect(404);
    expect(await app.comments.countDocuments({ postId: post.id })).toBe(0);
  });

  it.each([
    ['body', { body: '' }, 'Body must be 1 to 5000 characters'],
    ['body', { body: '   \n  ' }, 'Body must be 1 to 5000 characters'],
    ['body', { body: 'x'.repeat(5001) }, 'Body must be 1 to 5000 characters'], // one too many
    ['body', { body: 42 }, 'Body is required'],
    ['body', { body: undefined }, 'Body is required'],
    ['postId', { postId: undefined }, 'Post id is required'],
    ['postId', { postId: { $ne: null } }, 'Post id is required'],
    ['postId', { postId: 'x'.repeat(65) }, 'Post id must be 1 to 64 characters'],
  ])('rejects an invalid %s (case %#) with 400 naming it, creating nothing', async (field, change, message) => {
    const post = await knownPost(app);
    const res = await app.http
      .post('/api/comments')
      .set('Authorization', bearerFor(alice))
      .send({ postId: post.id, body: 'fine', ...change })
      .expect(400);
    expect(res.body).toEqual({ errors: [{ field, message }] });
    expect(await app.comments.countDocuments({ postId: post.id })).toBe(0);
  });

  it('accepts a body of exactly 5000 characters after trimming', async () => {
    const post = await knownPost(app);
    const comment = await createComment(post.id, ` ${'y'.repeat(5000)} `);
    expect(comment.body).toHaveLength(5000);
  });

  it('rejects unknown fields, such as an attempt to set the status', async () => {
    const post = await knownPost(app);
    const res = await app.http
      .post('/api/comments')
      .set('Authorization', bearerFor(alice))
      .send({ postId: post.id, body: 'hi', status: 'approved', authorId: bob.id })
      .expect(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'status', message: 'Unknown field' },
        { field: 'authorId', message: 'Unknown field' },
      ]),
    );
    expect(await app.comments.countDocuments({ postId: post.id })).toBe(0);
  });

  it('answers malformed JSON with 400 and a non-JSON body with 415', async () => {
    const malformed = await app.http
      .post('/api/comments')
      .set('Authorization', bearerFor(alice))
      .set('Content-Type', 'application/json')
      .send('{"postId": ')
      .expect(400);
    expect(malformed.body).toEqual({ errors: [{ message: 'Malformed JSON in request body' }] });
    await app.http.post('/api/comments').set('Authorization', bearerFor(alice)).type('form').send('body=x').expect(415);
  });
});

describe('GET /api/comments/:id', () => {
  it('shows a pending comment to its author and moderators only', async () => {
    const post = await knownPost(app);
    const comment = await createComment(post.id);
    await app.http.get(`/api/comments/${comment.id}`).set('Authorization', bearerFor(alice)).expect(200);
    await app.http.get(`/api/comments/${comment.id}`).set('Authorization', bearerFor(moderator)).expect(200);
    await app.http.get(`/api/comments/${comment.id}`).set('Authorization', bearerFor(bob)).expect(404);
    await app.http.get(`/api/comments/${comment.id}`).expect(404);
  });

  it('answers 404 for unknown and malformed ids', async () => {
    for (const id of ['000000000000000000000000', 'nope', '%24where', 'x'.repeat(300)]) {
      const res = await app.http.get(`/api/comments/${id}`).set('Authorization', bearerFor(moderator)).expect(404);
      expect(res.body).toEqual({ errors: [{ message: 'Comment not found' }] });
    }
  });
});

describe('PUT /api/comments/:id', () => {
  it('lets the author edit: new text, back to pending, version +1, one comment.updated', async () => {
    const post = await knownPost(app);
    const comment = await createComment(post.id, 'first words');
    const res = await app.http
      .put(`/api/comments/${comment.id}`)
      .set('Authorization', bearerFor(alice))
      .send({ body: ' second words ' })
      .expect(200);
    expect(res.body).toMatchObject({ id: comment.id, body: 'second words', status: 'pending', reason: '', version: 1 });
    const event = await app.events.waitFor('comment.updated', (e) => e.aggregateId === comment.id);
    expect(event).toMatchObject({ version: 1, data: { body: 'second words', status: 'pending' } });
    await app.untilSettled();
    expect(eventsOf(comment.id).map((e) => [e.subject, e.version])).toEqual([
      ['comment.created', 0],
      ['comment.updated', 1],
    ]);
  });

  it('changes nothing and announces nothing when the text is the same', async () => {
    const post = await knownPost(app);
    const comment = await createComment(post.id, 'same words');
    const res = await app.http
      .put(`/api/comments/${comment.id}`)
      .set('Authorization', bearerFor(alice))
      .send({ body: 'same words ' })
      .expect(200);
    expect(res.body.version).toBe(0);
    await app.untilSettled();
    expect(eventsOf(comment.id)).toHaveLength(1);
  });

  it('answers 403 to anyone but the author, moderators included, changing nothing', async () => {
    const post = await knownPost(app, bob.id);
    const comment = await createComment(post.id, 'mine');
    for (const user of [bob, moderator]) {
      const res = await app.http
        .put(`/api/comments/${comment.id}`)
        .set('Authorization', bearerFor(user))
        .send({ body: 'theirs' })
        .expect(403);
      expect(res.body).toEqual({ errors: [{ message: 'Only the author can edit a comment' }] });
    }
    expect((await app.comments.findById(comment.id))?.body).toBe('mine');
  });

  it('answers 401, 404 and 400 as it should', async () => {
    const post = await knownPost(app);
    const comment = await createComment(post.id, 'mine');
    await app.http.put(`/api/comments/${comment.id}`).send({ body: 'x' }).expect(401);
    await app.http
      .put('/api/comments/000000000000000000000000')
      .set('Authorization', bearerFor(alice))
      .send({ body: 'x' })
      .expect(404);
    await app.http.put('/api/comments/garbage').set('Authorization', bearerFor(alice)).send({ body: 'x' }).expect(404);
    const invalid = await app.http
      .put(`/api/comments/${comment.id}`)
      .set('Authorization', bearerFor(alice))
      .send({ body: '' })
      .expect(400);
    expect(invalid.body).toEqual({ errors: [{ field: 'body', message: 'Body must be 1 to 5000 characters' }] });
    const unknown = await app.http
      .put(`/api/comments/${comment.id}`)
      .set('Authorization', bearerFor(alice))
      .send({ body: 'ok', postId: post.id })
      .expect(400);
    expect(unknown.body).toEqual({ errors: [{ field: 'postId', message: 'Unknown field' }] });
    expect(await app.comments.findById(comment.id)).toMatchObject({ body: 'mine', version: 0 });
  });
});

describe('DELETE /api/comments/:id', () => {
  it.each([
    ["the comment's author", alice],
    ["the post's author", bob],
    ['a moderator', moderator],
  ])('lets %s delete it: a tombstone, text erased, one comment.deleted', async (_who, user) => {
    const post = await knownPost(app, bob.id);
    const comment = await createComment(post.id, 'to be deleted');
    const res = await app.http.delete(`/api/comments/${comment.id}`).set('Authorization', bearerFor(user)).expect(200);
    expect(res.body).toEqual({});
    const event = await app.events.waitFor('comment.deleted', (e) => e.aggregateId === comment.id);
    expect(event).toMatchObject({ version: 1, data: { id: comment.id, postId: post.id } });
    expect(await app.comments.findById(comment.id)).toMatchObject({ deleted: true, body: '', version: 1 });
    await app.http.get(`/api/comments/${comment.id}`).set('Authorization', bearerFor(moderator)).expect(404);
    await app.http
      .put(`/api/comments/${comment.id}`)
      .set('Authorization', bearerFor(alice))
      .send({ body: 'back?' })
      .expect(404);
    await app.http.delete(`/api/comments/${comment.id}`).set('Authorization', bearerFor(user)).expect(404);
    await app.untilSettled();
    expect(eventsOf(comment.id).map((e) => e.subject)).toEqual(['comment.created', 'comment.deleted']);
  });

  it('answers 403 to another user, 401 when signed out, 404 for unknown or malformed ids', async () => {
    const post = await knownPost(app);
    const comment = await createComment(post.id);
    const res = await app.http.delete(`/api/comments/${comment.id}`).set('Authorization', bearerFor(bob)).expect(403);
    expect(res.body.errors[0].message).toMatch(/author/);
    await app.http.delete(`/api/comments/${comment.id}`).expect(401);
    await app.http
      .delete('/api/comments/000000000000000000000000')
      .set('Authorization', bearerFor(moderator))
      .expect(404);
    await app.http.delete('/api/comments/%7B%7D').set('Authorization', bearerFor(moderator)).expect(404);
    expect(await app.comments.findById(comment.id)).toMatchObject({ deleted: false, version: 0 });
  });
});
