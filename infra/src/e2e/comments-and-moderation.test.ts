import { MongoClient } from 'mongodb';
import type { EventEnvelope } from '@postline/common';
import type { EventsClient } from '@postline/common/tools';
import { eventually } from '@postline/common/testing';
import { ApiUser, consumedUpTo, eventsOf } from './api-client';
import { quickEventsEnv, startTestPlatform, type TestPlatform } from './test-platform';

/**
 * comments and moderation talking only through real events: every service its own process behind
 * the gateway, against the real database and nats-server. A comment is judged by the rules, judged
 * again when edited, queued for a moderator when borderline, and a decision about text edited
 * since never applies.
 */
jest.setTimeout(180_000);

interface Comment {
  id: string;
  postId: string;
  status: string;
  reason: string;
  version: number;
  body: string;
}
type QueueItem = { commentId: string; commentVersion: number; flags: string[] };

describe('comments and moderation through real events', () => {
  let running: TestPlatform;
  let events: EventsClient;
  let mongo: MongoClient;
  let alice: ApiUser;
  let moderator: ApiUser;
  let anonymous: ApiUser;

  beforeAll(async () => {
    running = await startTestPlatform('comments-moderation', {
      ...quickEventsEnv,
      MODERATOR_EMAILS: 'mod@example.test',
    });
    const { platform } = running;
    events = running.events;
    mongo = await MongoClient.connect(platform.mongoUrl);
    alice = await ApiUser.signUp(platform.url, 'alice');
    moderator = await ApiUser.signUp(platform.url, 'mod');
    await moderator.verifyEmail(running.mailbox); // the role goes to a verified address only
    anonymous = new ApiUser(platform.url);
  }, 120_000);

  afterAll(async () => {
    await mongo?.close();
    await running?.stop();
  });

  /** A post of alice's that the comments service knows (from post.created). */
  async function knownPost(): Promise<{ id: string }> {
    return alice.expect<{ id: string }>(201, 'POST', '/api/posts', { title: 'A post', body: 'Some text' });
  }

  async function write(postId: string, body: string): Promise<Comment> {
    // A post a moment old: comments waits for its replica before answering.
    const comment = await alice.expect<Comment>(201, 'POST', '/api/comments', { postId, body });
    expect(comment.status).toBe('pending');
    return comment;
  }

  const edit = (id: string, body: string) => alice.expect<Comment>(200, 'PUT', `/api/comments/${id}`, { body });
  const asAuthor = (id: string) => alice.expect<Comment>(200, 'GET', `/api/comments/${id}`);

  function settledAs(id: string, status: string, version: number): Promise<Comment> {
    return eventually(
      async () => {
        const comment = await asAuthor(id);
        return comment.status === status && comment.version === version && comment;
      },
      15_000,
      `comment ${id} ${status} at version ${version}`,
    );
  }

  const record = (id: string) =>
    mongo
      .db('postline-moderation')
      .collection<{ _id: string; awaitingReview?: boolean; deleted?: boolean }>('moderationrecords')
      .findOne({ _id: id });

  it('ends a clean comment approved and one containing "Orange" rejected, naming the rule', async () => {
    const post = await knownPost();
    const clean = await write(post.id, 'Thanks, this helped me a lot.');
    const orange = await write(post.id, 'Have an Orange instead.');
    expect(await settledAs(clean.id, 'approved', 1)).toMatchObject({ reason: '' });
    expect(await settledAs(orange.id, 'rejected', 1)).toMatchObject({ reason: 'blocked word: orange' });
    await anonymous.expect(200, 'GET', `/api/comments/${clean.id}`); // public now
    await anonymous.expect(404, 'GET', `/api/comments/${orange.id}`); // only its author and moderators
  });

  it('judges the text readers see, not the Markdown it is written in', async () => {
    const post = await knownPost();
    const entity = await write(post.id, 'Have an or&#97;nge instead.');
    const emphasis = await write(post.id, 'Have an **or**ange, or an or\u200Bange.');
    const links = await write(
      post.id,
      Array.from({ length: 5 }, (_, i) => `[see](&#104;ttps://example.com/${i})`).join(' '),
    );
    const code = await write(post.id, 'Three words: `https://a.example`, and <a href="https://b.example">b</a>.');
    expect(await settledAs(entity.id, 'rejected', 1)).toMatchObject({ reason: 'blocked word: orange' });
    expect(await settledAs(emphasis.id, 'rejected', 1)).toMatchObject({ reason: 'blocked word: orange' });
    expect(await settledAs(links.id, 'rejected', 1)).toMatchObject({ reason: 'too many links: 5 (at most 3)' });
    // Code is text and raw HTML is not rendered: no link a reader could follow.
    expect(await settledAs(code.id, 'approved', 1)).toMatchObject({ reason: '' });
  });

  it('sends an edited approved comment back to pending and judges it again', async () => {
    const post = await knownPost();
    const comment = await write(post.id, 'A fine remark.');
    await settledAs(comment.id, 'approved', 1);
    const edited = await edit(comment.id, 'A fine remark, with an orange.');
    expect(edited).toMatchObject({ status: 'pending', reason: '', version: 2 });
    expect(await settledAs(comment.id, 'rejected', 3)).toMatchObject({ reason: 'blocked word: orange' });
    const again = await edit(comment.id, 'A fine remark after all.');
    expect(again).toMatchObject({ status: 'pending', version: 4 });
    await settledAs(comment.id, 'approved', 5);
    const decisions = (await eventsOf(events, 'comment', comment.id))
      .map((tailed) => tailed.event)
      .filter((event): event is EventEnvelope<'comment.moderated'> => event?.subject === 'comment.moderated');
    expect(decisions.map((e) => [e.version, e.data.commentVersion, e.data.status])).toEqual([
      [0, 0, 'approved'],
      [1, 2, 'rejected'],
      [2, 4, 'approved'],
    ]);
  });

  it('never lets a stale decision approve newer text', async () => {
    const post = await knownPost();
    const comment = await write(post.id, 'Is this a scam?');
    const inQueue = () =>
      eventually(
        async () =>
          (await moderator.expect<{ items: QueueItem[] }>(200, 'GET', '/api/moderation/queue')).items.find(
            (i) => i.commentId === comment.id,
          ),
        15_000,
        'comment in the review queue',
      );
    expect(await inQueue()).toMatchObject({ commentVersion: 0, flags: ['review word: scam'] });

    await edit(comment.id, 'Surely a scam, you idiot.');
    await eventually(async () => (await inQueue()).commentVersion === 1, 15_000, 'queue holds version 1');

    // The moderator decides what they saw (version 0): refused, the text changed.
    const stale = await moderator.request<{ errors: { field?: string }[] }>(
      'POST',
      `/api/moderation/comments/${comment.id}/decision`,
      { status: 'approved', reason: 'looked fine', commentVersion: 0 },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]?.field).toBe('commentVersion');
    // A decision about version 0 that got out anyway (a race) is ignored by comments.
    const raced = await events.publish(
      'comment.moderated',
      { commentId: comment.id, postId: comment.postId, commentVersion: 0, status: 'approved', reason: 'stale' },
      { aggregateId: comment.id, version: 0, producer: 'moderation' },
    );
    await eventually(() => consumedUpTo(events, 'comments', 'COMMENTS', raced.seq), 15_000, 'comments handled it');
    expect(await asAuthor(comment.id)).toMatchObject({ status: 'pending', version: 1 });

    await moderator.expect(200, 'POST', `/api/moderation/comments/${comment.id}/decision`, {
      status: 'rejected',
      reason: 'insulting',
      commentVersion: 1,
    });
    expect(await settledAs(comment.id, 'rejected', 2)).toMatchObject({
      reason: 'insulting',
      body: 'Surely a scam, you idiot.',
    });
  });

  it('takes a deleted comment out of the review queue', async () => {
    const post = await knownPost();
    const comment = await write(post.id, 'free money here');
    await eventually(async () => (await record(comment.id))?.awaitingReview === true, 15_000, 'queued');
    await moderator.expect(200, 'DELETE', `/api/comments/${comment.id}`);
    await eventually(async () => (await record(comment.id))?.deleted === true, 15_000, 'gone from the queue');
    const queue = await moderator.expect<{ items: QueueItem[] }>(200, 'GET', '/api/moderation/queue');
    expect(queue.items.map((i) => i.commentId)).not.toContain(comment.id);
    await moderator.expect(404, 'POST', `/api/moderation/comments/${comment.id}/decision`, {
      status: 'approved',
      reason: 'ok',
    });
  });
});
