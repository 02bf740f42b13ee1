/**
 * comments and moderation together in one namespace, talking only through
 * real events. This file imports the comments service's test starter across
 * workspaces, so it is left out of moderation's `tsc -b` build (see
 * tsconfig.json); ts-jest compiles it when it runs.
 */
import { bearerFor, eventually, testUser, uniqueNamespace } from '@postline/common/testing';
import { knownPost } from '../../../comments/src/testing/fixtures';
import { commentModerated, startComments, type CommentsUnderTest } from '../../../comments/src/testing/start-comments';
import { startModeration, type ModerationUnderTest } from '../testing/start-moderation';

let comments: CommentsUnderTest;
let moderation: ModerationUnderTest;

beforeAll(async () => {
  const namespace = uniqueNamespace();
  comments = await startComments(namespace);
  moderation = await startModeration(namespace);
});

afterAll(async () => {
  await moderation?.stop();
  await comments?.stop();
});

const alice = testUser({ username: 'alice' });
const moderator = testUser({ username: 'mod', role: 'moderator' });

interface Comment {
  id: string;
  postId: string;
  status: string;
  reason: string;
  version: number;
  body: string;
}

async function write(postId: string, body: string): Promise<Comment> {
  const res = await comments.http
    .post('/api/comments')
    .set('Authorization', bearerFor(alice))
    .send({ postId, body })
    .expect(201);
  expect(res.body.status).toBe('pending');
  return res.body;
}

async function edit(id: string, body: string): Promise<Comment> {
  const res = await comments.http
    .put(`/api/comments/${id}`)
    .set('Authorization', bearerFor(alice))
    .send({ body })
    .expect(200);
  return res.body;
}

async function asAuthor(id: string): Promise<Comment> {
  return (await comments.http.get(`/api/comments/${id}`).set('Authorization', bearerFor(alice)).expect(200)).body;
}

function settledAs(id: string, status: string, version: number): Promise<Comment> {
  return eventually(
    async () => {
      const comment = await asAuthor(id);
      return comment.status === status && comment.version === version && comment;
    },
    10_000,
    `comment ${id} ${status} at version ${version}`,
  );
}

describe('comments and moderation through real events', () => {
  it('ends a clean comment approved and one containing "Orange" rejected, naming the rule', async () => {
    const post = await knownPost(comments);
    const clean = await write(post.id, 'Thanks, this helped me a lot.');
    const orange = await write(post.id, 'Have an Orange instead.');
    expect(await settledAs(clean.id, 'approved', 1)).toMatchObject({ reason: '' });
    expect(await settledAs(orange.id, 'rejected', 1)).toMatchObject({ reason: 'blocked word: orange' });
    await comments.http.get(`/api/comments/${clean.id}`).expect(200); // public now
    await comments.http.get(`/api/comments/${orange.id}`).expect(404); // only its author and moderators
  });

  it('sends an edited approved comment back to pending and judges it again', async () => {
    const post = await knownPost(comments);
    const comment = await write(post.id, 'A fine remark.');
    await settledAs(comment.id, 'approved', 1);
    const edited = await edit(comment.id, 'A fine remark, with an orange.');
    expect(edited).toMatchObject({ status: 'pending', reason: '', version: 2 });
    expect(await settledAs(comment.id, 'rejected', 3)).toMatchObject({ reason: 'blocked word: orange' });
    const again = await edit(comment.id, 'A fine remark after all.');
    expect(again).toMatchObject({ status: 'pending', version: 4 });
    await settledAs(comment.id, 'approved', 5);
    const decisions = moderation.events.of('comment.moderated').filter((e) => e.data.commentId === comment.id);
    expect(decisions.map((e) => [e.version, e.data.commentVersion, e.data.status])).toEqual([
      [0, 0, 'approved'],
      [1, 2, 'rejected'],
      [2, 4, 'approved'],
    ]);
  });

  it('never lets a stale decision approve newer text', async () => {
    const post = await knownPost(comments);
    const comment = await write(post.id, 'Is this a scam?');
    const inQueue = () =>
      eventually(
        async () => {
          const res = await moderation.http
            .get('/api/moderation/queue')
            .set('Authorization', bearerFor(moderator))
            .expect(200);
          return res.body.items.find((i: { commentId: string }) => i.commentId === comment.id);
        },
        10_000,
        'comment in the review queue',
      );
    expect(await inQueue()).toMatchObject({ commentVersion: 0, flags: ['review word: scam'] });

    await edit(comment.id, 'Surely a scam, you idiot.');
    await eventually(async () => (await inQueue()).commentVersion === 1, 10_000, 'queue holds version 1');

    // The moderator decides what they saw (version 0): refused, the text changed.
    const stale = await moderation.http
      .post(`/api/moderation/comments/${comment.id}/decision`)
      .set('Authorization', bearerFor(moderator))
      .send({ status: 'approved', reason: 'looked fine', commentVersion: 0 })
      .expect(409);
    expect(stale.body.errors[0].field).toBe('commentVersion');
    // A decision about version 0 that got out anyway (a race) is ignored by comments.
    await comments.bus.publish(
      commentModerated(comment, { commentVersion: 0, status: 'approved', reason: 'stale' }, 0),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await asAuthor(comment.id)).toMatchObject({ status: 'pending', version: 1 });

    await moderation.http
      .post(`/api/moderation/comments/${comment.id}/decision`)
      .set('Authorization', bearerFor(moderator))
      .send({ status: 'rejected', reason: 'insulting', commentVersion: 1 })
      .expect(200);
    expect(await settledAs(comment.id, 'rejected', 2)).toMatchObject({
      reason: 'insulting',
      body: 'Surely a scam, you idiot.',
    });
  });

  it('takes a deleted comment out of the review queue', async () => {
    const post = await knownPost(comments);
    const comment = await write(post.id, 'free money here');
    await eventually(
      async () => (await moderation.records.findById(comment.id).lean())?.awaitingReview === true,
      10_000,
      'queued',
    );
    await comments.http.delete(`/api/comments/${comment.id}`).set('Authorization', bearerFor(moderator)).expect(200);
    await eventually(
      async () => (await moderation.records.findById(comment.id).lean())?.deleted === true,
      10_000,
      'gone from the queue',
    );
    await moderation.http
      .post(`/api/moderation/comments/${comment.id}/decision`)
      .set('Authorization', bearerFor(moderator))
      .send({ status: 'approved', reason: 'ok' })
      .expect(404);
  });
});
