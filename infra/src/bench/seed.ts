import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { EventBus, newEvent, type AnyEventEnvelope } from '@postline/common';
import { pino } from 'pino';
import { BenchUser, inParallel, waitFor } from './bench-user';

export const BLOCKED_WORD = 'orange'; // in moderation/rules.json: a comment containing it is rejected by the rules

export interface Seeded {
  users: BenchUser[];
  /** Signed in as a moderator (MODERATOR_EMAILS): sees every comment with its status. */
  moderator: BenchUser;
  /** The signed-in reader of the post page: likes it and follows its author, wrote none of its comments. */
  reader: BenchUser;
  /** Ids of the seeded posts, newest last. */
  postIds: string[];
  /** The post whose page carries exactly 10 approved comments (plus rejected ones hidden from readers). */
  pagePostId: string;
  pageSlug: string;
  pageApprovedComments: number;
  pageRejectedComments: number;
  /** Posts reserved for the latency phases (their comment lists stay short). */
  latencyPostIds: string[];
  /** Twenty more, untouched until the scale phase repeats the 20/s latency on them. */
  scaleLatencyPostIds: string[];
  /** A post whose HTML page the freshness check comments on. */
  freshPost: { id: string; slug: string };
  /** The first posts carry `COMMENTS_PER_POST` comments each and are never read by id before the cold reads. */
  commentedPostIds: string[];
  counts: { users: number; posts: number; comments: number; rejectedComments: number };
}

const TAGS = ['travel', 'food', 'code', 'music', 'books', 'science', 'design', 'sport'];
const PAGE_APPROVED = 10;
const PAGE_REJECTED = 2;
/** Comments on each of the first 20 posts (one in five rejected): the shape of a post at scale (100,000 / 10,000). */
const COMMENTS_PER_POST = 10;

export function commentBody(i: number, rejected: boolean): string {
  return rejected
    ? `Comment ${i}: the ${BLOCKED_WORD} was a lie`
    : `Comment ${i}: thoughtful and kind words about this post`;
}

/**
 * Comment POSTs for the load generators, `count` of them: the writers in
 * turn, every fifth one rejected by the rules, `[<id>]` in the body for the
 * generator to make each text unique, on the post `postOf(i)` gives.
 */
export function commentRequests(
  writers: BenchUser[],
  count: number,
  postOf: (i: number) => string,
): { method: 'POST'; path: string; headers: Record<string, string>; body: string; postId: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    method: 'POST' as const,
    path: '/api/comments',
    headers: { 'Content-Type': 'application/json', ...writers[i % writers.length]!.headers },
    body: JSON.stringify({ postId: postOf(i), body: commentBody(i, i % 5 === 4).replace('Comment', 'Comment [<id>]') }),
    postId: postOf(i),
  }));
}

/** Posts a comment, retrying while the comments service has not yet received the post (404). */
export async function postComment(user: BenchUser, url: string, postId: string, body: string): Promise<{ id: string }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await user.request<{ id: string }>(url, 'POST', '/api/comments', { postId, body });
    if (res.status === 201) return res.body;
    if (res.status !== 404 || Date.now() > deadline) {
      throw new Error(`POST /api/comments answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The data the reads run against, created through the gateway like real
 * users would: users, posts with tags, comments (every fifth one contains a
 * blocked word and is rejected by moderation), and a post with exactly 10
 * approved comments, liked by a reader who follows its author. Resolves once
 * the query service shows all of it.
 */
export async function seed(
  url: string,
  query: string,
  /** Auth's private key: the bench signs its users' tokens as auth would. */
  privateKey: string,
  size: { users: number; posts: number },
): Promise<Seeded> {
  const moderator = await BenchUser.signUp(url, 'benchmod', privateKey, 'moderator');
  const users: BenchUser[] = [];
  for (let i = 0; i < size.users; i++) users.push(await BenchUser.signUp(url, `bench_user_${i}`, privateKey));
  const reader = await BenchUser.signUp(url, 'bench_reader', privateKey);

  const postIds = await inParallel(
    Array.from({ length: size.posts }, (_, i) => i),
    8,
    async (i) => {
      const author = users[i % users.length]!;
      const post = await author.expect<{ id: string }>(201, url, 'POST', '/api/posts', {
        title: `Seeded post number ${i}`,
        body: `# Post ${i}\n\nSome *Markdown* text for post ${i}, long enough to make an excerpt. `.repeat(4),
        tags: [TAGS[i % TAGS.length]!, TAGS[(i * 3 + 1) % TAGS.length]!],
      });
      return post.id;
    },
  );
  const reserved = async (title: string) =>
    (
      await users[0]!.expect<{ id: string }>(201, url, 'POST', '/api/posts', {
        title,
        body: 'For the benchmark.',
        tags: ['bench'],
      })
    ).id;
  const pagePostId = await reserved('The page with ten comments');
  const latencyPostIds: string[] = [];
  for (let i = 0; i < 20; i++) latencyPostIds.push(await reserved(`Latency post ${i}`));
  const scaleLatencyPostIds: string[] = [];
  for (let i = 0; i < 20; i++) scaleLatencyPostIds.push(await reserved(`Latency post at scale ${i}`));
  const freshPostId = await reserved('The page that changes');

  // Comments: ten on each of the first posts (one in five rejected), and the 10-comment page.
  const commentedPostIds = postIds.slice(0, Math.min(postIds.length, 20));
  const jobs: { postId: string; rejected: boolean }[] = [];
  for (const postId of commentedPostIds) {
    for (let c = 0; c < COMMENTS_PER_POST; c++) jobs.push({ postId, rejected: c % 5 === 4 });
  }
  for (let c = 0; c < PAGE_APPROVED + PAGE_REJECTED; c++)
    jobs.push({ postId: pagePostId, rejected: c >= PAGE_APPROVED });
  await inParallel(jobs, 8, (job, i) =>
    postComment(users[i % users.length]!, url, job.postId, commentBody(i, job.rejected)),
  );
  // The signed-in reader's personal parts of the page: a like, and following the author.
  await reader.expect(200, url, 'POST', `/api/posts/${pagePostId}/like`);
  const followed = await reader.request(url, 'POST', `/api/users/${users[0]!.username}/follow`);
  if (followed.status >= 300) throw new Error(`follow answered ${followed.status}: ${JSON.stringify(followed.body)}`);

  const expectedPosts = postIds.length + 2 + latencyPostIds.length + scaleLatencyPostIds.length;
  await waitFor('the seeded posts in query', 120_000, async () => {
    const res = await users[0]!.request<{ total: number }>(query, 'GET', '/api/query/posts?limit=1');
    return res.status === 200 && res.body.total >= expectedPosts;
  });
  await waitFor('the seeded comments decided in query', 120_000, async () => {
    const res = await moderator.request<{ post: { comments: { status: string }[] } }>(
      query,
      'GET',
      `/api/query/posts/${pagePostId}`,
    );
    const comments = res.body?.post?.comments ?? [];
    return (
      comments.filter((c) => c.status === 'approved').length === PAGE_APPROVED &&
      comments.filter((c) => c.status === 'rejected').length === PAGE_REJECTED
    );
  });
  await waitFor('latency posts known to comments', 60_000, async () => {
    const res = await users[0]!.request(query, 'GET', `/api/query/posts/${latencyPostIds.at(-1)}`);
    return res.status === 200;
  });
  const pageSlug = await waitFor("the reader's like and follow in query", 60_000, async () => {
    const res = await reader.request<{ post: { slug: string; likedByMe: boolean; followingAuthor: boolean } }>(
      query,
      'GET',
      `/api/query/posts/${pagePostId}`,
    );
    return res.body?.post?.likedByMe && res.body.post.followingAuthor ? res.body.post.slug : undefined;
  });
  const freshSlug = (
    await users[0]!.expect<{ post: { slug: string } }>(200, query, 'GET', `/api/query/posts/${freshPostId}`)
  ).post.slug;

  return {
    users,
    moderator,
    reader,
    postIds,
    pagePostId,
    pageSlug,
    pageApprovedComments: PAGE_APPROVED,
    pageRejectedComments: PAGE_REJECTED,
    latencyPostIds,
    scaleLatencyPostIds,
    freshPost: { id: freshPostId, slug: freshSlug },
    commentedPostIds,
    counts: {
      users: users.length + 2,
      posts: expectedPosts,
      comments: jobs.length,
      rejectedComments: jobs.filter((j) => j.rejected).length,
    },
  };
}

export interface ScaleSeed {
  /** Posts published as `post.created` events. */
  posts: number;
  /** Seconds to publish them (JetStream acknowledgements awaited, many in flight). */
  publishSeconds: number;
  /** Seconds from the first publish until the query service listed all of them. */
  appliedSeconds: number;
  /** What the live query service applied per second meanwhile (the other consumers took their share too). */
  appliedPerSecond: number;
  /** Posts the query service lists in all (the seeded ones included). */
  totalPosts: number;
}

/**
 * The scale phase's data: `count` posts published straight to NATS as the
 * posts service would (`post.created`, version 0, by the seeded authors, with
 * tags), so the read model holds thousands of posts in seconds instead of
 * thousands of API calls. They are dated before every seeded post, so the
 * first page of the list shows the same posts as before (the same bytes but
 * for the total). Resolves once the query service lists all of them, with their ids.
 */
export async function seedScale(
  natsUrl: string,
  query: string,
  authors: BenchUser[],
  count: number,
  timeoutS: number,
): Promise<{ seeding: ScaleSeed; postIds: string[] }> {
  const before = await totalPosts(query);
  const bus = await EventBus.connect({
    url: natsUrl,
    name: 'bench-scale-publisher',
    logger: pino({ level: 'warn' }),
  });
  const started = performance.now();
  // Older than everything seeded through the API: the first page of the list stays the same posts.
  const at = Date.UTC(2025, 0, 1);
  let publishSeconds: number;
  const postIds: string[] = [];
  try {
    const window = 500;
    for (let i = 0; i < count; i += window) {
      const batch: AnyEventEnvelope[] = [];
      for (let p = i; p < Math.min(count, i + window); p++) batch.push(scalePost(p, authors[p % authors.length]!, at));
      postIds.push(...batch.map((event) => event.aggregateId));
      await Promise.all(batch.map((event) => bus.publish(event)));
    }
    publishSeconds = (performance.now() - started) / 1000;
  } finally {
    await bus.close();
  }
  const total = await waitFor(`${count} published posts in query`, timeoutS * 1000, async () => {
    const n = await totalPosts(query).catch(() => 0);
    return n >= before + count ? n : undefined;
  });
  const appliedSeconds = (performance.now() - started) / 1000;
  const seeding: ScaleSeed = {
    posts: count,
    publishSeconds: Math.round(publishSeconds * 100) / 100,
    appliedSeconds: Math.round(appliedSeconds * 100) / 100,
    appliedPerSecond: Math.round(count / Math.max(appliedSeconds, 0.001)),
    totalPosts: total,
  };
  return { seeding, postIds };
}

async function totalPosts(query: string): Promise<number> {
  const res = await fetch(`${query}/api/query/posts?limit=1`);
  return ((await res.json()) as { total: number }).total;
}

function scalePost(p: number, author: BenchUser, at: number): AnyEventEnvelope {
  const id = randomBytes(12).toString('hex');
  const created = new Date(at + p * 1000).toISOString();
  return newEvent('post.created', {
    producer: 'posts',
    aggregateId: id,
    version: 0,
    data: {
      id,
      authorId: author.id,
      authorUsername: author.username,
      title: `Post at scale number ${p}`,
      slug: `post-at-scale-number-${p}-${id.slice(0, 6)}`,
      body: `# Post ${p}\n\nSome *Markdown* text for post ${p}, long enough to make an excerpt. `.repeat(4),
      tags: [TAGS[p % TAGS.length]!, TAGS[(p * 3 + 1) % TAGS.length]!],
      createdAt: created,
      updatedAt: created,
    },
  }) as AnyEventEnvelope;
}
