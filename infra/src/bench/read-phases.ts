import { performance } from 'node:perf_hooks';
import type { BenchRun } from './bench-run';
import type { BenchUser } from './bench-user';
import { runLoad, type LoadResult, type LoadSpec } from './load';
import type { BenchOptions } from './options';
import { percentile, round } from './process-stats';

/** A read, with the bare-Node ceiling for the same bytes measured in the same run and their ratio. */
export type ReadResult = LoadResult & { ceilingRequestsPerSecond: number; ratioOfCeiling: number };

export function against(r: LoadResult, ceiling: LoadResult): ReadResult {
  return {
    ...r,
    ceilingRequestsPerSecond: ceiling.requestsPerSecond,
    ratioOfCeiling: round(r.requestsPerSecond / Math.max(ceiling.requestsPerSecond, 0.001), 3),
  };
}

/** A JSON read phase: `connections` connections, the run's duration and warm-up. */
export function readSpec(options: BenchOptions, url: string, headers?: Record<string, string>): LoadSpec {
  return { url, headers, connections: options.connections, durationS: options.durationS, warmupS: options.warmupS };
}

export const listPath = '/api/query/posts?limit=20';
export const pagePath = (postId: string): string => `/api/query/posts/${postId}`;

export interface JsonReads {
  /** The bare Node server answering the bytes of GET /api/query/posts?limit=20, hit directly: the ceiling. */
  ceilingList: LoadResult;
  /** The same bare server behind a second nginx gateway: what the gateway itself costs. */
  ceilingListViaGateway: ReadResult;
  /** GET /api/query/posts?limit=20 through the gateway, anonymous. */
  postList: ReadResult;
  /** The same straight to the query service (no gateway). */
  postListDirect: ReadResult;
  /** The bare server answering the bytes of the post page (10 comments), anonymous and signed in. */
  ceilingPage: LoadResult;
  ceilingPageSignedIn: LoadResult;
  /** GET /api/query/posts/:id of the post with 10 comments through the gateway, anonymous and with a Bearer token. */
  postPage: ReadResult;
  postPageSignedIn: ReadResult;
}

/** The JSON reads through the gateway, each beside its ceiling (the same bytes from a bare server). */
export async function jsonReads(
  run: BenchRun,
  options: BenchOptions,
  ceilings: { bare: string; bareViaGateway: string },
  pagePostId: string,
  reader: BenchUser,
): Promise<JsonReads> {
  const { measured, gateway } = run;
  const query = run.platform.services.query!;
  const read = (url: string, headers?: Record<string, string>) => runLoad(readSpec(options, url, headers));
  const page = pagePath(pagePostId);
  const ceilingList = await measured('ceiling: list', () => read(`${ceilings.bare}${listPath}`));
  const ceilingListViaGateway = against(
    await measured('ceiling: list via gateway', () => read(`${ceilings.bareViaGateway}${listPath}`)),
    ceilingList,
  );
  const postList = against(await measured('post list', () => read(`${gateway}${listPath}`)), ceilingList);
  const postListDirect = against(
    await measured('post list straight to query', () => read(`${query}${listPath}`)),
    ceilingList,
  );
  const ceilingPage = await measured('ceiling: post page', () => read(`${ceilings.bare}${page}`));
  const postPage = against(await measured('post page', () => read(`${gateway}${page}`)), ceilingPage);
  const ceilingPageSignedIn = await measured('ceiling: post page signed in', () =>
    read(`${ceilings.bare}${page}`, reader.headers),
  );
  const postPageSignedIn = against(
    await measured('post page signed in', () => read(`${gateway}${page}`, reader.headers)),
    ceilingPageSignedIn,
  );
  return {
    ceilingList,
    ceilingListViaGateway,
    postList,
    postListDirect,
    ceilingPage,
    ceilingPageSignedIn,
    postPage,
    postPageSignedIn,
  };
}

/** Post pages read once each, never read before: each one built by query on a cache miss. */
export interface ColdReads {
  reads: number;
  /** Comments on each page as an anonymous reader sees them (approved), mean. */
  commentsPerPage: number;
  p50Ms: number;
  maxMs: number;
  meanMs: number;
}

/**
 * Reads each of `postIds` (never read before, so not in query's answer
 * cache) once, one after the other, anonymous, straight from the query
 * service (no gateway: query's own time to build the page, plus one local
 * round trip). A first read of the list warms the connection.
 */
export async function coldReads(queryOrigin: string, postIds: string[]): Promise<ColdReads> {
  await (await fetch(`${queryOrigin}${listPath}`)).arrayBuffer();
  const times: number[] = [];
  let comments = 0;
  for (const id of postIds) {
    const started = performance.now();
    const res = await fetch(`${queryOrigin}${pagePath(id)}`);
    const body = (await res.json()) as { post?: { comments?: unknown[] } };
    times.push(performance.now() - started);
    if (!res.ok) throw new Error(`GET ${pagePath(id)} answered ${res.status}`);
    comments += body.post?.comments?.length ?? 0;
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    reads: times.length,
    commentsPerPage: round(comments / Math.max(times.length, 1), 1),
    p50Ms: round(percentile(sorted, 50), 2),
    maxMs: round(sorted.at(-1) ?? NaN, 2),
    meanMs: round(times.reduce((s, t) => s + t, 0) / Math.max(times.length, 1), 2),
  };
}
