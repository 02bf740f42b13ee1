import type { BenchUser } from './bench-user';
import { CommentPipelineWatcher, verifyInQuery } from './event-latency';
import { runOpenLoad } from './load';
import type { OpenLoadResult } from './open-load-worker';
import { commentRequests } from './seed';

/** Beyond capacity: comments offered at `factor` × the rate the platform sustained, in an open model. */
export interface OverloadResult extends Omit<OpenLoadResult, 'accepted' | 'statuses' | 'offeredSeconds'> {
  /** The write phase's req/s this phase doubles (`factor` ×). */
  sustainedPerSecond: number;
  factor: number;
  offeredPerSecond: number;
  seconds: number;
  /** 2xx answers (their times: `acceptedP50Ms`, `acceptedP99Ms`, from when each was due). */
  accepted: number;
  /** Any other outcome: other statuses, connection errors, timeouts (status → count). */
  failed: Record<string, number>;
  /** Accepted comments final in query (ack-based, see CommentPipelineWatcher) by the end of the wait, and never. */
  finalInQuery: number;
  lost: number;
  /** Of the final ones, how many a read of their post pages showed with that status. */
  verifiedInQuery: number;
}

/**
 * Offers `factor` × `sustainedPerSecond` comment POSTs a second through the
 * gateway for `seconds` s, each at its scheduled time (open-load-worker.ts),
 * and checks what became of them: accepted (and then final in query: nothing
 * accepted may be lost), refused fast with `Retry-After`, or failed.
 */
export async function overload(options: {
  gateway: string;
  natsUrl: string;
  queryOrigin: string;
  writers: BenchUser[];
  moderator: BenchUser;
  postIds: string[];
  sustainedPerSecond: number;
  factor: number;
  seconds: number;
  /** How long accepted comments may take to become final after the load. */
  drainTimeoutS: number;
}): Promise<OverloadResult> {
  const rate = Math.max(1, Math.round(options.sustainedPerSecond * options.factor));
  const watcher = await CommentPipelineWatcher.start(options.natsUrl);
  const requests = commentRequests(
    options.writers,
    options.postIds.length * 5,
    (i) => options.postIds[i % options.postIds.length]!,
  );
  const load = await runOpenLoad({
    url: options.gateway,
    rate,
    seconds: options.seconds,
    requests,
    timeoutS: 30,
    maxSockets: 1024,
  });
  for (const a of load.accepted) watcher.add(a.id, a.postId, a.answeredAt);
  const deadline = Date.now() + options.drainTimeoutS * 1000;
  while (watcher.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const lost = watcher.pending;
  await watcher.stop();
  const verifiedInQuery = await verifyInQuery(options.queryOrigin, options.moderator, watcher.arrivedIds);
  const failed = Object.fromEntries(
    Object.entries(load.statuses).filter(([status]) => !/^2\d\d$/.test(status) && status !== '503' && status !== '429'),
  );
  return {
    sustainedPerSecond: options.sustainedPerSecond,
    factor: options.factor,
    offeredPerSecond: rate,
    offered: load.offered,
    seconds: load.offeredSeconds,
    accepted: load.accepted.length,
    acceptedP50Ms: load.acceptedP50Ms,
    acceptedP99Ms: load.acceptedP99Ms,
    refused: load.refused,
    refusedWithRetryAfter: load.refusedWithRetryAfter,
    refusedP50Ms: load.refusedP50Ms,
    refusedP99Ms: load.refusedP99Ms,
    failed,
    finalInQuery: watcher.arrivedIds.length,
    lost,
    verifiedInQuery,
  };
}
