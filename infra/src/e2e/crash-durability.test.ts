import { readdirSync } from 'node:fs';
import type { EventsClient } from '@postline/common/tools';
import { eventually } from '@postline/common/testing';
import type { Platform } from '../local/platform';
import { allReady, ApiUser, consumedUpTo, eventsOf, mapConcurrently } from './api-client';
import { bulkWritesEnv, reportLogged, startTestPlatform, type TestPlatform } from './test-platform';

/**
 * An acknowledged write survives a crash of the database: 200 writes answered
 * 201, then the local MongoDB (file storage, its journal, as under `npm start`)
 * is killed with SIGKILL and started again; every write is still there, in the
 * service that owns it and, once it has caught up, in query. The services
 * reconnect by themselves.
 */

type Written = { kind: 'post' | 'comment'; id: string };
type PostList = { posts: { id: string }[]; total: number };
type PostDetail = { id: string; comments: { id: string; status: string }[] };

const WRITES = 200;
/** Every fourth write is a comment, the others posts: two owning services, two databases. */
const isComment = (i: number) => i % 4 === 3;

describe('an acknowledged write survives a kill -9 of the database', () => {
  let running: TestPlatform;
  let platform: Platform;
  let events: EventsClient;

  beforeAll(async () => {
    running = await startTestPlatform('crash', { ...bulkWritesEnv, OUTBOX_SWEEP_MS: '500' });
    platform = running.platform;
    events = running.events;
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  it('keeps all 200 writes answered 201, in the owning services and in query', async () => {
    // The platform's own database, not one MONGO_URL points at, on file.
    expect(readdirSync(platform.mongo!.dataDir).some((f) => /^journal-\d+\.bson$/.test(f))).toBe(true);
    const writer = await ApiUser.signUp(platform.url, 'writer');
    const anonymous = new ApiUser(platform.url);
    const anchor = await writer.expect<{ id: string }>(201, 'POST', '/api/posts', { title: 'Anchor', body: 'a' });
    // Comments are taken on posts the comments service knows: wait until it has consumed the anchor's creation.
    const [created] = await eventually(async () => {
      const found = await eventsOf(events, 'post', anchor.id);
      return found.length > 0 && found;
    }, 20_000);
    await eventually(() => consumedUpTo(events, 'comments', 'POSTS', created!.seq), 20_000, 'comments knows the post');

    const written = await mapConcurrently(
      Array.from({ length: WRITES }, (_, i) => i),
      8,
      async (i): Promise<Written> => {
        if (isComment(i)) {
          const c = await writer.expect<{ id: string }>(201, 'POST', '/api/comments', {
            postId: anchor.id,
            body: `Comment ${i}, written just before the crash.`,
          });
          return { kind: 'comment', id: c.id };
        }
        const p = await writer.expect<{ id: string }>(201, 'POST', '/api/posts', {
          title: `Post ${i} before the crash`,
          body: `Body of post ${i}.`,
          tags: ['crash'],
        });
        return { kind: 'post', id: p.id };
      },
    );
    // At once: no grace for anything still being written after its acknowledgement.
    await platform.mongo!.kill();
    await platform.mongo!.start();

    const posts = written.filter((w) => w.kind === 'post').map((w) => w.id);
    const comments = written.filter((w) => w.kind === 'comment').map((w) => w.id);
    expect([posts.length, comments.length]).toEqual([150, 50]);

    // The services reconnect by themselves (the driver finds the database again at its next
    // heartbeat, every 10 s; on loaded CI machines one service took more than 30 s, and once, on
    // 2026-12-08, comments more than 60 s: cause not found, see the README's Reliability notes).
    await allReady(platform.services, 120_000);

    // Every acknowledged write is in the service that owns it.
    const missing: string[] = [];
    await mapConcurrently(written, 8, async ({ kind, id }) => {
      const res = await writer.request('GET', `/api/${kind}s/${id}`);
      if (res.status !== 200) missing.push(`${kind} ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    });
    expect(missing).toEqual([]);

    // And, once it has caught up, in query: every post, and every comment (decided by moderation meanwhile).
    const expectedPosts = new Set([anchor.id, ...posts]);
    const listed = await eventually(
      async () => {
        const first = await anonymous.request<PostList>('GET', '/api/query/users/writer/posts?limit=1');
        return first.body?.total === expectedPosts.size && first.body.total;
      },
      60_000,
      `${expectedPosts.size} posts in query`,
    );
    const ids = new Set<string>();
    for (let page = 1; (page - 1) * 50 < listed; page++) {
      const list = await anonymous.expect<PostList>(200, 'GET', `/api/query/users/writer/posts?limit=50&page=${page}`);
      for (const p of list.posts) ids.add(p.id);
    }
    expect(ids).toEqual(expectedPosts);

    const decided = await eventually(
      async () => {
        const res = await writer.request<{ post: PostDetail }>('GET', `/api/query/posts/${anchor.id}`);
        const seen = res.body?.post?.comments ?? [];
        return seen.length === comments.length && seen.every((c) => c.status === 'approved') && seen;
      },
      60_000,
      `${comments.length} approved comments in query`,
    );
    expect(decided.map((c) => c.id).sort()).toEqual([...comments].sort());
    expect(await events.deadLetters()).toEqual([]);
  }, 240_000);

  afterEach(() => reportLogged(running.logs, { max: 30 }));
});
