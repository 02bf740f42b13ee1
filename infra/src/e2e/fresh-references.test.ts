import { randomBytes } from 'node:crypto';
import type { Comment, Post } from '@postline/common/api';
import type { Platform } from '../local/platform';
import { ApiUser } from './api-client';
import { bulkWritesEnv, reportLogged, startTestPlatform, type TestPlatform } from './test-platform';

/**
 * Consistency a user can feel: a write that names something another service created a moment
 * ago succeeds at once, without the client retrying, though the service answering it knows of
 * that thing only from an event (its replica). Each pair is done 100 times in a row, as a new
 * user would: create, then at once refer to it. An id nobody created still gets 404, after the
 * replica wait (REPLICA_WAIT_MS, short here), and at once when the id cannot be a fresh one.
 */

const ATTEMPTS = 100;
const REPLICA_WAIT_MS = 3_000;
/** A pair takes 3–25 s here (mostly sign-ups); the bound leaves room for a loaded CI machine. */
const PAIR_TIMEOUT_MS = 90_000;

// Everyone here signs up from one address, and a few users write hundreds of times.
const env = { ...bulkWritesEnv, MODERATOR_EMAILS: 'mod@example.test', REPLICA_WAIT_MS: String(REPLICA_WAIT_MS) };

/** What one pair's 100 attempts gave. */
interface Tally {
  pair: string;
  attempts: number;
  succeeded: number;
  notFound: number;
  other: string[];
  /** The writes under test only (setup excluded). */
  writeMs: number;
  slowestMs: number;
  totalMs: number;
}

/** An id shaped like the services' own (an ObjectId: its first 4 bytes are the second it was made), made `ageSeconds` ago. */
function objectIdMade(ageSeconds = 0): string {
  const seconds = Math.floor(Date.now() / 1000) - ageSeconds;
  return seconds.toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
}

describe('writes that name what another service created a moment ago', () => {
  let running: TestPlatform;
  let platform: Platform;
  let mod: ApiUser;
  let bystander: ApiUser & { id: string };
  let bystanderPost: Post;
  const tallies: Tally[] = [];
  let userCount = 0;
  const newUser = () => ApiUser.signUp(platform.url, `fresh${userCount++}`);

  beforeAll(async () => {
    running = await startTestPlatform('fresh', env);
    platform = running.platform;
    mod = await ApiUser.signUp(platform.url, 'mod');
    await mod.verifyEmail(running.mailbox); // the role goes to a verified address only
    bystander = await ApiUser.signUp(platform.url, 'bystander');
    bystanderPost = await bystander.expect<Post>(201, 'POST', '/api/posts', {
      title: 'Open thread',
      body: 'Say hi.',
    });
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    if (tallies.length > 0) {
      const rows = tallies.map(
        (t) =>
          `| ${t.pair} | ${t.attempts} | ${t.succeeded} | ${t.notFound} | ${t.other.length} | ${Math.round(t.writeMs / t.attempts)} | ${t.slowestMs} | ${(t.totalMs / 1000).toFixed(1)} |`,
      );
      process.stdout.write(
        [
          '| pair | attempts | succeeded | 404 | other | mean write ms | slowest write ms | total s |',
          '|---|---|---|---|---|---|---|---|',
          ...rows,
        ]
          .join('\n')
          .concat('\n'),
      );
    }
  });

  afterEach(() => reportLogged(running.logs));

  /**
   * Runs `attempt` ATTEMPTS times in a row. Each sets up what it needs (not timed) and returns the
   * one write under test, whose answer is tallied: `expected` counts as success.
   */
  async function hundredTimes(
    pair: string,
    expected: number,
    attempt: (i: number) => Promise<() => Promise<{ status: number; body: unknown }>>,
  ): Promise<Tally> {
    const tally: Tally = {
      pair,
      attempts: 0,
      succeeded: 0,
      notFound: 0,
      other: [],
      writeMs: 0,
      slowestMs: 0,
      totalMs: 0,
    };
    const started = Date.now();
    for (let i = 0; i < ATTEMPTS; i++) {
      const write = await attempt(i);
      const sent = Date.now();
      const res = await write();
      tally.writeMs += Date.now() - sent;
      tally.slowestMs = Math.max(tally.slowestMs, Date.now() - sent);
      tally.attempts++;
      if (res.status === expected) tally.succeeded++;
      else if (res.status === 404) tally.notFound++;
      else tally.other.push(`${res.status} ${JSON.stringify(res.body)}`);
    }
    tally.totalMs = Date.now() - started;
    tallies.push(tally);
    return tally;
  }

  const allSucceeded = (tally: Tally) => ({ succeeded: tally.succeeded, notFound: tally.notFound, other: tally.other });
  const expectAllSucceeded = (tally: Tally) =>
    expect(allSucceeded(tally)).toEqual({ succeeded: ATTEMPTS, notFound: 0, other: [] });

  it(
    'a comment on a post created a moment ago (comments’ replica of posts)',
    async () => {
      const tally = await hundredTimes('comment on a fresh post', 201, async (i) => {
        const author = await newUser();
        const post = await author.expect<Post>(201, 'POST', '/api/posts', { title: `Fresh ${i}`, body: 'New.' });
        return () => author.request('POST', '/api/comments', { postId: post.id, body: `First! ${i}` });
      });
      expectAllSucceeded(tally);
    },
    PAIR_TIMEOUT_MS,
  );

  it(
    'a comment on a draft published a moment ago (comments’ replica of posts: the post.updated that publishes it)',
    async () => {
      const tally = await hundredTimes('comment on a freshly published draft', 201, async (i) => {
        const draft = await bystander.expect<Post>(201, 'POST', '/api/posts', {
          title: `Draft ${i}`,
          body: 'Not ready yet.',
          status: 'draft',
        });
        const published = await bystander.expect<Post>(200, 'POST', `/api/posts/${draft.id}/publish`);
        if (published.status !== 'published') throw new Error(`publish answered ${JSON.stringify(published)}`);
        return () => bystander.request('POST', '/api/comments', { postId: draft.id, body: `Now it is out ${i}` });
      });
      expectAllSucceeded(tally);
    },
    PAIR_TIMEOUT_MS,
  );

  it(
    'a post by a user who signed up a moment ago (posts’ replica of users)',
    async () => {
      let username = '';
      const tally = await hundredTimes('post by a fresh user', 201, async (i) => {
        const user = await newUser();
        username = user.name;
        return async () => {
          const res = await user.request<Post>('POST', '/api/posts', { title: `Hello ${i}`, body: 'I am new.' });
          if (res.status === 201 && res.body.authorUsername !== username) return { status: 599, body: res.body };
          return res;
        };
      });
      expectAllSucceeded(tally);
    },
    PAIR_TIMEOUT_MS,
  );

  it(
    'a comment by a user who signed up a moment ago',
    async () => {
      const tally = await hundredTimes('comment by a fresh user', 201, async (i) => {
        const user = await newUser();
        return () => user.request('POST', '/api/comments', { postId: bystanderPost.id, body: `Hi, I am new ${i}` });
      });
      expectAllSucceeded(tally);
    },
    PAIR_TIMEOUT_MS,
  );

  it(
    'a like of a post created a moment ago',
    async () => {
      const tally = await hundredTimes('like a fresh post', 200, async (i) => {
        const post = await bystander.expect<Post>(201, 'POST', '/api/posts', { title: `Likeable ${i}`, body: 'x' });
        return () => mod.request('POST', `/api/posts/${post.id}/like`);
      });
      expectAllSucceeded(tally);
    },
    PAIR_TIMEOUT_MS,
  );

  it(
    'a follow of a user who signed up a moment ago',
    async () => {
      const tally = await hundredTimes('follow a fresh user', 200, async () => {
        const user = await newUser();
        return () => bystander.request('POST', `/api/users/${user.name}/follow`);
      });
      expectAllSucceeded(tally);
    },
    PAIR_TIMEOUT_MS,
  );

  it(
    'an edit of a comment written a moment ago, and its deletion by the post’s author',
    async () => {
      const deletions: (() => Promise<{ status: number; body: unknown }>)[] = [];
      const edits = await hundredTimes('edit a fresh comment', 200, async (i) => {
        const author = await newUser();
        const post = await author.expect<Post>(201, 'POST', '/api/posts', { title: `Edited ${i}`, body: 'x' });
        const comment = await bystander.expect<Comment>(201, 'POST', '/api/comments', {
          postId: post.id,
          body: `Typo ${i}`,
        });
        deletions.push(() => author.request('DELETE', `/api/comments/${comment.id}`));
        return () => bystander.request('PUT', `/api/comments/${comment.id}`, { body: `Fixed ${i}` });
      });
      expectAllSucceeded(edits);
      const deleted = await hundredTimes(
        'post author deletes a fresh comment',
        200,
        async (i) => async () => deletions[i]!(),
      );
      expectAllSucceeded(deleted);
    },
    PAIR_TIMEOUT_MS,
  );

  it(
    'a moderator’s decision on a comment written a moment ago (moderation’s replica of comments)',
    async () => {
      const tally = await hundredTimes('decide a fresh comment', 200, async (i) => {
        // "scam" sends a comment to review (moderation/rules.json).
        const comment = await bystander.expect<Comment>(201, 'POST', '/api/comments', {
          postId: bystanderPost.id,
          body: `Is this a scam? ${i}`,
        });
        return () =>
          mod.request('POST', `/api/moderation/comments/${comment.id}/decision`, {
            status: 'approved',
            reason: 'fine',
          });
      });
      expectAllSucceeded(tally);
    },
    PAIR_TIMEOUT_MS,
  );

  it(
    'a moderator’s decision on the new text of a comment edited a moment ago',
    async () => {
      const tally = await hundredTimes('decide a fresh edit', 200, async (i) => {
        const comment = await bystander.expect<Comment>(201, 'POST', '/api/comments', {
          postId: bystanderPost.id,
          body: `Free money ${i}`,
        });
        const edited = await bystander.expect<Comment>(200, 'PUT', `/api/comments/${comment.id}`, {
          body: `Free money, no scam ${i}`,
        });
        return () =>
          mod.request('POST', `/api/moderation/comments/${comment.id}/decision`, {
            status: 'rejected',
            reason: 'spam',
            commentVersion: edited.version,
          });
      });
      expectAllSucceeded(tally);
    },
    PAIR_TIMEOUT_MS,
  );

  describe('an id nobody created', () => {
    const timed = async (write: () => Promise<{ status: number; body: unknown }>) => {
      const started = Date.now();
      const res = await write();
      return { status: res.status, body: res.body, ms: Date.now() - started };
    };

    it('is refused with 404 once the replica wait is over, when it could be a fresh id', async () => {
      const comment = await timed(() =>
        bystander.request('POST', '/api/comments', { postId: objectIdMade(), body: 'Hm' }),
      );
      expect(comment).toMatchObject({ status: 404, body: { errors: [{ message: 'Post not found' }] } });
      expect(comment.ms).toBeGreaterThanOrEqual(REPLICA_WAIT_MS - 50);
      expect(comment.ms).toBeLessThan(REPLICA_WAIT_MS + 2_000);

      const decision = await timed(() =>
        mod.request('POST', `/api/moderation/comments/${objectIdMade()}/decision`, { status: 'approved', reason: 'x' }),
      );
      expect(decision).toMatchObject({ status: 404, body: { errors: [{ message: 'Comment not found' }] } });
      expect(decision.ms).toBeGreaterThanOrEqual(REPLICA_WAIT_MS - 50);
      expect(decision.ms).toBeLessThan(REPLICA_WAIT_MS + 2_000);
    }, 30_000);

    it('is refused with 404 at once when it cannot be a fresh one (old, or not an id at all)', async () => {
      for (const postId of [objectIdMade(3_600), '000000000000000000000000', 'not-an-id']) {
        const res = await timed(() => bystander.request('POST', '/api/comments', { postId, body: 'Hm' }));
        expect({ postId, status: res.status, fast: res.ms < 1_000 }).toEqual({ postId, status: 404, fast: true });
      }
      for (const id of [objectIdMade(3_600), 'not-an-id']) {
        const res = await timed(() =>
          mod.request('POST', `/api/moderation/comments/${id}/decision`, { status: 'approved', reason: 'x' }),
        );
        expect({ id, status: res.status, fast: res.ms < 1_000 }).toEqual({ id, status: 404, fast: true });
      }
    }, 30_000);
  });
});
