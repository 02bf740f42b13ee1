import { performance } from 'node:perf_hooks';
import type { BenchRun } from './bench-run';
import { CommentPipelineWatcher, rateLatency, type LatencyPhase, type LatencyResult } from './event-latency';
import { runLoad, type LoadResult } from './load';
import type { BenchOptions } from './options';
import { round } from './process-stats';
import {
  against,
  coldReads,
  listPath,
  pagePath,
  readSpec,
  type ColdReads,
  type JsonReads,
  type ReadResult,
} from './read-phases';
import { commentRequests, seedScale, type ScaleSeed, type Seeded } from './seed';

export interface ScaleComments {
  /** Comments POSTed through the gateway (autocannon, a fixed count) onto the scale posts. */
  offered: number;
  written: LoadResult;
  /** `comment.created` events seen, and how many of those comments query showed final at the end. */
  created: number;
  final: number;
  /** Seconds from the first POST until every comment was final (or the timeout). */
  seconds: number;
  /** Comments made final per second over those seconds: the whole pipeline's rate. */
  finalPerSecond: number;
  /** Scale posts read as a moderator: how many showed exactly the comments created on them. */
  checkedPosts: number;
  consistentPosts: number;
}

/** The figures repeated at scale, each beside the empty platform's. */
export interface ScaleResult {
  posts: ScaleSeed;
  comments: ScaleComments;
  /** `GET /api/query/posts?limit=20` and the 10-comment post page through the gateway (their ceilings: the empty run's). */
  postList: ReadResult;
  postPage: ReadResult;
  postListBytes: number;
  /** Never-read scale posts' pages, each built on a cache miss. */
  cold: ColdReads;
  /** The 20/s phase again (readers and the author polling), on posts of its own. */
  steady: LatencyResult;
  /** Scale figure over the empty platform's: reads (req/s: ≥ 0.9 is within 10 %), latencies and the cold page (ms: ≤ 1.1). */
  vsEmpty: {
    postList: number;
    postPage: number;
    coldP50: number;
    steadyLiveP50: number;
    steadyLiveP99: number;
    steadyPolledP50: number;
    steadyPolledP99: number;
  };
}

/** The figures on the empty platform the scale phase compares against. */
export interface EmptyFigures {
  reads: JsonReads;
  cold: ColdReads;
  steady: LatencyResult;
}

/**
 * Grows the platform to `scalePosts` more posts (published straight to NATS
 * as the posts service would, seed.ts) and `scaleComments` comments on them,
 * POSTed through the gateway like any comment (so each one is in the
 * comments service, judged by moderation and final in query: the only
 * faithful way, since a comment published to NATS alone would be unknown to
 * the comments service), then repeats the key figures.
 */
export async function scalePhase(
  run: BenchRun,
  options: BenchOptions,
  seeded: Seeded,
  latency: Omit<LatencyPhase, 'postIds'>,
  empty: EmptyFigures,
): Promise<ScaleResult> {
  const { measured, gateway } = run;
  const query = run.platform.services.query!;
  const { seeding, postIds } = await measured('scale: posts', () =>
    seedScale(run.platform.natsUrl, query, seeded.users, options.scalePosts, options.scaleTimeoutS),
  );
  await run.quiet(options.scaleTimeoutS, 'consumers still busy after the scale posts');
  // The cold reads' posts are read by nothing before; the consistency check reads others.
  const coldIds = postIds.slice(0, options.coldReads);
  const checkIds = postIds.slice(options.coldReads, options.coldReads + 10);
  const comments = await measured('scale: comments', () => scaleComments(run, options, seeded, postIds, checkIds));
  await run.quiet(options.scaleTimeoutS, 'consumers still busy after the scale comments');

  const read = (url: string) => runLoad(readSpec(options, url));
  const postListBytes = (await (await fetch(`${query}${listPath}`)).arrayBuffer()).byteLength;
  const postList = against(
    await measured('scale: post list', () => read(`${gateway}${listPath}`)),
    empty.reads.ceilingList,
  );
  const postPage = against(
    await measured('scale: post page', () => read(`${gateway}${pagePath(seeded.pagePostId)}`)),
    empty.reads.ceilingPage,
  );
  const cold = await measured('scale: cold post pages', () => coldReads(query, coldIds));
  const steady = await measured(`scale: event latency ${options.steadyRate}/s`, () =>
    rateLatency({ ...latency, postIds: seeded.scaleLatencyPostIds }, options.steadyRate, options.steadyS),
  );
  const over = (a: number, b: number) => round(a / Math.max(b, 0.001), 3);
  return {
    posts: seeding,
    comments,
    postList,
    postPage,
    postListBytes,
    cold,
    steady,
    vsEmpty: {
      postList: over(postList.requestsPerSecond, empty.reads.postList.requestsPerSecond),
      postPage: over(postPage.requestsPerSecond, empty.reads.postPage.requestsPerSecond),
      coldP50: over(cold.p50Ms, empty.cold.p50Ms),
      steadyLiveP50: over(steady.author.live.p50Ms, empty.steady.author.live.p50Ms),
      steadyLiveP99: over(steady.author.live.p99Ms, empty.steady.author.live.p99Ms),
      steadyPolledP50: over(steady.author.polled.p50Ms, empty.steady.author.polled.p50Ms),
      steadyPolledP99: over(steady.author.polled.p99Ms, empty.steady.author.polled.p99Ms),
    },
  };
}

/**
 * `scaleComments` comment POSTs through the gateway, spread evenly over the
 * scale posts (one in five rejected), then waits until every one is final in
 * query, and checks a few posts' pages against the comments created on them.
 */
async function scaleComments(
  run: BenchRun,
  options: BenchOptions,
  seeded: Seeded,
  postIds: string[],
  checkIds: string[],
): Promise<ScaleComments> {
  const watcher = await CommentPipelineWatcher.start(run.platform.natsUrl);
  const started = performance.now();
  const written = await runLoad({
    url: run.gateway,
    connections: options.writeConnections,
    durationS: 0,
    warmupS: 0,
    amount: options.scaleComments,
    guardS: options.scaleTimeoutS,
    idReplacement: true,
    postIds,
    // Ten request shapes; `[<post>]` walks the posts in turn.
    requests: commentRequests(seeded.users, 10, () => '[<post>]'),
  });
  const deadline = started + options.scaleTimeoutS * 1000;
  let final = 0;
  for (;;) {
    final = [...watcher.created.keys()].filter((id) => watcher.finalAt.has(id)).length;
    if ((watcher.created.size >= written.ok && final === watcher.created.size) || performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (performance.now() - started) / 1000;
  await watcher.stop();
  const expected = new Map<string, number>();
  for (const { postId } of watcher.created.values()) expected.set(postId, (expected.get(postId) ?? 0) + 1);
  let consistentPosts = 0;
  for (const postId of checkIds) {
    const res = await seeded.moderator.request<{ post?: { comments?: unknown[] } }>(
      run.platform.services.query!,
      'GET',
      pagePath(postId),
    );
    if ((res.body?.post?.comments?.length ?? -1) === (expected.get(postId) ?? 0)) consistentPosts++;
  }
  return {
    offered: options.scaleComments,
    written,
    created: watcher.created.size,
    final,
    seconds: round(seconds, 1),
    finalPerSecond: round(final / Math.max(seconds, 0.001), 1),
    checkedPosts: checkIds.length,
    consistentPosts,
  };
}
