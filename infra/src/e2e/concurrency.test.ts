import { spawn, type ChildProcess } from 'node:child_process';
import type { EventsClient, TailedEvent } from '@postline/common/tools';
import { eventually, freePort, repositoryRoot } from '@postline/common/testing';
import type { LikeState, Post, PostDetail } from '@postline/common/api';
import { commandFor } from '../local/local-services';
import type { Platform } from '../local/platform';
import { ApiUser, consumedUpTo, eventsOf } from './api-client';
import { bulkWritesEnv, quickEventsEnv, reportLogged, startTestPlatform, type TestPlatform } from './test-platform';

/**
 * Concurrent writes against the real engine (the local MongoDB stand-in and
 * nats-server), through the services' HTTP APIs: nothing is lost and nothing
 * is counted twice, in the owning service, in its event stream and in query.
 */

// Everyone here signs up from one address, and one author writes in bursts. Up to 50 writes at
// once: no load shedding (it is tested on its own), this suite is about what they all do.
const env = { ...bulkWritesEnv, ...quickEventsEnv, HTTP_MAX_IN_FLIGHT: '0', GATEWAY_MAX_WRITES_IN_FLIGHT: '0' };

describe('concurrent writes, end to end', () => {
  let running: TestPlatform;
  let platform: Platform;
  let events: EventsClient;
  let author: ApiUser & { id: string };
  let anonymous: ApiUser;

  beforeAll(async () => {
    running = await startTestPlatform('concurrency', env);
    platform = running.platform;
    events = running.events;
    author = await ApiUser.signUp(platform.url, 'author');
    anonymous = new ApiUser(platform.url);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  /** Shows what the services logged at warn or above (a refused or failed write shows there first). */
  afterEach(() => reportLogged(running.logs, { warnings: true }));

  const newPost = (title: string) =>
    author.expect<Post>(201, 'POST', '/api/posts', { title, body: `About ${title}.`, tags: ['load'] });
  const postInPosts = (id: string) => anonymous.expect<Post>(200, 'GET', `/api/posts/${id}`);
  const postInQuery = async (user: ApiUser, id: string) => {
    const res = await user.request<{ post: PostDetail }>('GET', `/api/query/posts/${id}`);
    return res.status === 200 ? res.body.post : undefined;
  };
  /** The events of a post once the stream holds the post's version `version` (every earlier one with it). */
  const postEventsUpTo = (id: string, version: number) =>
    eventually(
      async () => {
        const found = await eventsOf(events, 'post', id);
        return found.some((e) => e.event!.version === version) && found;
      },
      20_000,
      `post ${id} at version ${version} in the POSTS stream`,
    );
  const versionsOf = (found: TailedEvent[]) => found.map((e) => e.event!.version);
  const countsOf = (statuses: number[]) =>
    statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

  it('counts 50 distinct users liking one post at once exactly 50 times, in posts and in query', async () => {
    const post = await newPost('Fifty likes');
    const likers = await ApiUser.signUpMany(platform.url, 'liker', 50);

    const answers = await Promise.all(likers.map((u) => u.request<LikeState>('POST', `/api/posts/${post.id}/like`)));
    const refused = answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${JSON.stringify(a.body)}`);
    expect(refused).toEqual([]);
    expect(answers.every((a) => a.body.liked)).toBe(true);
    expect(await postInPosts(post.id)).toMatchObject({ likeCount: 50, version: 50 });

    // 50 likes announced, one per user, each counting one more than the one before: none applied over another.
    const stream = await postEventsUpTo(post.id, 50);
    expect(versionsOf(stream)).toEqual(range(0, 50));
    const likes = stream.slice(1).map((e) => e.event!);
    expect(likes.every((e) => e.subject === 'post.liked')).toBe(true);
    expect(likes.map((e) => (e.data as { likeCount: number }).likeCount)).toEqual(range(1, 50));
    expect(new Set(likes.map((e) => (e.data as { userId: string }).userId))).toEqual(new Set(likers.map((u) => u.id)));

    await eventually(
      async () => (await postInQuery(anonymous, post.id))?.likeCount === 50,
      20_000,
      '50 likes in query',
    );
    expect((await postInQuery(likers[17]!, post.id))?.likedByMe).toBe(true);
    expect((await postInQuery(author, post.id))?.likedByMe).toBe(false);
  }, 90_000);

  it('takes one user’s 20 concurrent likes as one like, and 20 concurrent unlikes back to none', async () => {
    const post = await newPost('Liked and unliked');
    const fan = await ApiUser.signUp(platform.url, 'fan');
    const path = `/api/posts/${post.id}/like`;

    // A repeated like is no error: the same answer, no second like.
    const likes = await Promise.all(range(1, 20).map(() => fan.request<LikeState>('POST', path)));
    expect(countsOf(likes.map((a) => a.status))).toEqual({ 200: 20 });
    expect(likes.map((a) => a.body)).toEqual(likes.map(() => ({ postId: post.id, liked: true, likeCount: 1 })));
    expect((await postInPosts(post.id)).likeCount).toBe(1);
    await eventually(async () => (await postInQuery(fan, post.id))?.likedByMe === true, 20_000, 'the like in query');

    const unlikes = await Promise.all(range(1, 20).map(() => fan.request<LikeState>('DELETE', path)));
    expect(countsOf(unlikes.map((a) => a.status))).toEqual({ 200: 20 });
    expect(unlikes.map((a) => a.body)).toEqual(unlikes.map(() => ({ postId: post.id, liked: false, likeCount: 0 })));
    expect(await postInPosts(post.id)).toMatchObject({ likeCount: 0, version: 2 });

    // Exactly one like and one unlike were announced, so query cannot end anywhere but 0.
    const stream = await postEventsUpTo(post.id, 2);
    expect(stream.map((e) => [e.event!.subject, e.event!.version])).toEqual([
      ['post.created', 0],
      ['post.liked', 1],
      ['post.unliked', 2],
    ]);
    const seen = await eventually(
      async () => {
        const detail = await postInQuery(fan, post.id);
        return detail?.likedByMe === false && detail;
      },
      20_000,
      'the unlike in query',
    );
    expect(seen.likeCount).toBe(0);
  }, 60_000);

  it('approves 20 concurrent comments on one post and counts 20 in query', async () => {
    const post = await newPost('Twenty comments');
    const commenters = await ApiUser.signUpMany(platform.url, 'commenter', 20);
    // The comments service takes comments on posts it knows: wait until it has consumed this one's creation.
    const [created] = await postEventsUpTo(post.id, 0);
    await eventually(() => consumedUpTo(events, 'comments', 'POSTS', created!.seq), 20_000, 'comments knows the post');

    const answers = await Promise.all(
      commenters.map((u, i) =>
        u.request<{ id: string; status: string }>('POST', '/api/comments', {
          postId: post.id,
          body: `Comment number ${i}: well written, thank you.`,
        }),
      ),
    );
    expect(countsOf(answers.map((a) => a.status))).toEqual({ 201: 20 });
    expect(answers.every((a) => a.body.status === 'pending')).toBe(true);
    const ids = answers.map((a) => a.body.id);
    expect(new Set(ids).size).toBe(20);

    const seen = await eventually(
      async () => {
        const detail = await postInQuery(anonymous, post.id);
        return detail?.commentCount === 20 && detail.comments.length === 20 && detail;
      },
      30_000,
      '20 approved comments in query',
    );
    expect(seen.comments.map((c) => c.id).sort()).toEqual([...ids].sort());
    expect(seen.comments.every((c) => c.status === 'approved')).toBe(true);
    // The owning service agrees, comment by comment.
    for (const [i, id] of ids.entries()) {
      expect(await commenters[i]!.expect(200, 'GET', `/api/comments/${id}`)).toMatchObject({ id, status: 'approved' });
    }
  }, 90_000);

  describe('with two replicas of posts', () => {
    let second: { origin: string; stop(): Promise<void> } | undefined;

    beforeAll(async () => {
      second = await startReplica(platform, 'posts');
    }, 60_000);

    afterAll(async () => {
      await second?.stop();
    });

    it('loses no update when both replicas edit the same post at once', async () => {
      const post = await newPost('Edited from two processes');
      const replicas = [author.at(platform.services.posts!), author.at(second!.origin)];
      // Every edit has its own title; some also change the body or the tags, which later
      // edits of the title alone must carry forward, not undo.
      const edits = range(1, 20).map((i) => ({
        title: `Edit number ${i}`,
        ...(i % 3 === 0 ? { body: `Body from edit ${i}.` } : {}),
        ...(i % 4 === 0 ? { tags: [`edit${i}`] } : {}),
      }));

      const answers = await Promise.all(
        edits.map(async (edit, i) => {
          const replica = i % 2;
          const res = await replicas[replica]!.request<Post>('PUT', `/api/posts/${post.id}`, edit);
          return { edit, replica, ...res };
        }),
      );
      // 409 is the API's answer to an edit it could not fit in; anything else is a failure.
      expect(answers.filter((a) => a.status !== 200 && a.status !== 409)).toEqual([]);
      const applied = answers.filter((a) => a.status === 200);
      const refused = answers.filter((a) => a.status === 409);
      const n = applied.length;
      // Both processes really wrote.
      expect(new Set(applied.map((a) => a.replica))).toEqual(new Set([0, 1]));

      // The stream: created, then one post.updated per accepted edit, versions strictly +1.
      const stream = await postEventsUpTo(post.id, n);
      expect(versionsOf(stream)).toEqual(range(0, n));
      expect(stream.map((e) => e.event!.subject)).toEqual(['post.created', ...applied.map(() => 'post.updated')]);
      const snapshots = stream.map((e) => {
        const { title, body, tags } = e.event!.data as { title: string; body: string; tags: string[] };
        return { title, body, tags };
      });
      const titles = snapshots.map((s) => s.title);
      for (const a of applied) expect(titles.filter((t) => t === a.edit.title)).toHaveLength(1);
      for (const a of refused) expect(titles).not.toContain(a.edit.title);
      // Each version is the one before with exactly its own edit applied: no edit undone by another.
      const editOf = new Map(applied.map((a) => [a.edit.title, a.edit]));
      for (let v = 1; v <= n; v++) {
        const edit = editOf.get(snapshots[v]!.title)!;
        expect({ version: v, ...snapshots[v] }).toEqual({ version: v, ...snapshots[v - 1], ...edit });
      }

      // The post is its last version, in posts and in query.
      const last = snapshots[n]!;
      expect(await postInPosts(post.id)).toMatchObject({
        version: n,
        title: last.title,
        body: last.body,
        tags: last.tags,
      });
      await eventually(
        async () => (await postInQuery(anonymous, post.id))?.title === last.title,
        20_000,
        'the last edit in query',
      );
      // And each answer showed the post as its own edit left it.
      const versionOf = new Map(titles.map((t, v) => [t, v]));
      const answered = applied.map((a) => ({ version: a.body.version, title: a.body.title }));
      expect(answered).toEqual(applied.map((a) => ({ version: versionOf.get(a.edit.title), title: a.edit.title })));
      if (refused.length > 0)
        process.stderr.write(`posts answered 409 to ${refused.length} of ${edits.length} edits\n`);
    }, 60_000);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * One more process of a platform's service, sharing its database and its
 * durable consumers (the environment the platform gives its services), on a
 * port of its own.
 */
async function startReplica(platform: Platform, name: string): Promise<{ origin: string; stop(): Promise<void> }> {
  const command = commandFor(repositoryRoot(__dirname), name);
  if (!command) throw new Error(`${name} is not built: run \`npx tsc -b\``);
  const port = await freePort();
  const output: string[] = [];
  const child: ChildProcess = spawn(command.command, command.args, {
    cwd: command.cwd,
    env: {
      ...process.env,
      PORT: String(port),
      METRICS_PORT: '0', // the platform's own replica holds the fixed one
      NATS_URL: platform.natsUrl,
      MONGO_URL: platform.mongoUrl,
      JWT_PUBLIC_KEY: platform.tokenKeys.publicKey,
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => output.push(String(chunk)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} replica exited: ${output.join('').slice(-2000)}`);
        return (await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok;
      },
      60_000,
      `second ${name} ready`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { origin, stop };
}
