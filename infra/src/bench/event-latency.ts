import { performance } from 'node:perf_hooks';
import type { BenchUser } from './bench-user';
import { commentBody } from './seed';

export interface LatencyResult {
  /** Comments whose POST answered 201. */
  sent: number;
  /** POSTs that failed (not 201). */
  failedPosts: number;
  /** Comments seen in query with their final status (approved/rejected). */
  arrived: number;
  /** Comments never seen with a final status within the drain timeout. */
  neverArrived: number;
  /** Comments per second actually posted. */
  postRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Mean time of one poll of the query service: the resolution of the figures above. */
  pollMs: number;
  /** Rejected comments among those that arrived (they must arrive too, with status rejected). */
  rejected: number;
}

interface Outstanding {
  id: string;
  postId: string;
  /** When the POST's 201 response was received (performance.now()). */
  answeredAt: number;
}

/**
 * Watches comments until the query service shows each with its final status:
 * one poll loop per post with outstanding comments (at most `maxPollers` at
 * once), each GET of the post page (as the comments' author, who sees pending
 * and rejected comments with their status) straight to the query service,
 * back to back. A comment's latency is from its POST response to the end of
 * the first poll that shows it decided: an upper bound, within one poll.
 */
class VisibilityWatcher {
  private readonly outstanding = new Map<string, Outstanding[]>();
  private readonly polling = new Set<string>();
  private readonly queue: string[] = [];
  readonly latencies: number[] = [];
  rejected = 0;
  private pollTime = 0;
  private polls = 0;
  private stopped = false;

  constructor(
    private readonly author: BenchUser,
    private readonly queryOrigin: string,
    private readonly maxPollers: number,
  ) {}

  add(comment: Outstanding): void {
    const list = this.outstanding.get(comment.postId) ?? [];
    list.push(comment);
    this.outstanding.set(comment.postId, list);
    if (!this.polling.has(comment.postId) && !this.queue.includes(comment.postId)) this.queue.push(comment.postId);
    this.pump();
  }

  get pending(): number {
    let n = 0;
    for (const list of this.outstanding.values()) n += list.length;
    return n;
  }

  get meanPollMs(): number {
    return this.polls ? this.pollTime / this.polls : NaN;
  }

  stop(): void {
    this.stopped = true;
  }

  private pump(): void {
    while (!this.stopped && this.polling.size < this.maxPollers && this.queue.length > 0) {
      const postId = this.queue.shift()!;
      this.polling.add(postId);
      void this.pollLoop(postId).finally(() => {
        this.polling.delete(postId);
        if (!this.stopped && (this.outstanding.get(postId)?.length ?? 0) > 0) this.queue.push(postId);
        this.pump();
      });
    }
  }

  private async pollLoop(postId: string): Promise<void> {
    // A few rounds per turn, then the post goes to the back of the queue, so that under saturation every post is polled.
    for (let round = 0; round < 20 && !this.stopped; round++) {
      const list = this.outstanding.get(postId);
      if (!list || list.length === 0) return;
      const started = performance.now();
      let comments: { id: string; status: string }[] = [];
      try {
        const res = await this.author.request<{ post?: { comments?: { id: string; status: string }[] } }>(
          this.queryOrigin,
          'GET',
          `/api/query/posts/${postId}`,
        );
        comments = res.body?.post?.comments ?? [];
      } catch {
        // the query service is busy or restarting: try again
      }
      const now = performance.now();
      this.pollTime += now - started;
      this.polls++;
      const decided = new Map(comments.filter((c) => c.status !== 'pending').map((c) => [c.id, c.status]));
      const still: Outstanding[] = [];
      for (const item of list) {
        const status = decided.get(item.id);
        if (status) {
          this.latencies.push(now - item.answeredAt);
          if (status === 'rejected') this.rejected++;
        } else still.push(item);
      }
      this.outstanding.set(postId, still);
      if (still.length === 0) return;
    }
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export interface LatencyPhase {
  url: string;
  queryOrigin: string;
  author: BenchUser;
  postIds: string[];
  drainTimeoutS: number;
  /** Post pages polled at once (each poll costs the query service and its database a read). */
  pollers: number;
  /** Every n-th comment contains the blocked word and ends rejected. */
  rejectEvery?: number;
}

/**
 * Comments at a steady rate (`rate` per second for `seconds`), each POSTed
 * through the gateway at its scheduled time whether or not earlier ones have
 * answered (an open model: a slow platform does not slow the arrivals down).
 */
export async function steadyLatency(phase: LatencyPhase, rate: number, seconds: number): Promise<LatencyResult> {
  const watcher = new VisibilityWatcher(phase.author, phase.queryOrigin, phase.pollers);
  const total = Math.max(1, Math.round(rate * seconds));
  const start = performance.now();
  let failed = 0;
  const posts: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    posts.push(sendOne(phase, watcher, i).then((ok) => void (ok || failed++)));
  }
  await Promise.all(posts);
  const postSeconds = (performance.now() - start) / 1000;
  return finish(phase, watcher, total - failed, failed, postSeconds);
}

/** As many comments as `writers` concurrent writers can post for `seconds` (each waits for its previous POST). */
export async function saturationLatency(phase: LatencyPhase, writers: number, seconds: number): Promise<LatencyResult> {
  const watcher = new VisibilityWatcher(phase.author, phase.queryOrigin, phase.pollers);
  const start = performance.now();
  const end = start + seconds * 1000;
  let sent = 0;
  let failed = 0;
  let counter = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < end) {
        if (await sendOne(phase, watcher, counter++)) sent++;
        else failed++;
      }
    }),
  );
  const postSeconds = (performance.now() - start) / 1000;
  return finish(phase, watcher, sent, failed, postSeconds);
}

async function sendOne(phase: LatencyPhase, watcher: VisibilityWatcher, i: number): Promise<boolean> {
  const postId = phase.postIds[i % phase.postIds.length]!;
  const rejected = i % (phase.rejectEvery ?? 5) === 4;
  try {
    const res = await phase.author.request<{ id: string }>(phase.url, 'POST', '/api/comments', {
      postId,
      body: commentBody(i, rejected),
    });
    const answeredAt = performance.now();
    if (res.status !== 201) return false;
    watcher.add({ id: res.body.id, postId, answeredAt });
    return true;
  } catch {
    return false;
  }
}

async function finish(
  phase: LatencyPhase,
  watcher: VisibilityWatcher,
  sent: number,
  failedPosts: number,
  postSeconds: number,
): Promise<LatencyResult> {
  const deadline = performance.now() + phase.drainTimeoutS * 1000;
  while (watcher.pending > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const neverArrived = watcher.pending;
  watcher.stop();
  const sorted = [...watcher.latencies].sort((a, b) => a - b);
  return {
    sent,
    failedPosts,
    arrived: sorted.length,
    neverArrived,
    postRate: round1(sent / Math.max(postSeconds, 0.001)),
    p50Ms: round1(percentile(sorted, 50)),
    p95Ms: round1(percentile(sorted, 95)),
    p99Ms: round1(percentile(sorted, 99)),
    maxMs: round1(sorted.at(-1) ?? NaN),
    pollMs: round1(watcher.meanPollMs),
    rejected: watcher.rejected,
  };
}
