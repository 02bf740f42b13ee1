import { performance } from 'node:perf_hooks';
import { EventsClient, type EventTail } from '@postline/common/events-client';
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
  /** Mean time between two looks at the query service's progress: the resolution of the figures above. */
  pollMs: number;
  /** Of the arrived comments, how many a final read of their post pages showed with that status. */
  verifiedInQuery: number;
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
 * Sees comments reach the query service with their final status without
 * loading it: moderation's `comment.moderated` events are tailed from NATS
 * (their stream sequence and status), and the query service's durable
 * consumer on the comments stream is polled every few milliseconds. The
 * query service applies an event to its read models before acknowledging it,
 * so once its acknowledgement floor (everything up to it acknowledged) passes
 * a comment's decision, a read of the post page shows the comment with that
 * status. Polling the post pages over HTTP instead would put a read per poll
 * on query and FerretDB, the very parts being measured; at the end the
 * benchmark reads each post page once to confirm (`verifiedInQuery`).
 */
class QueryAckWatcher {
  private readonly outstanding = new Map<string, Outstanding>();
  /** commentId → stream sequence of its decision and the status it carries. */
  private readonly decisions = new Map<string, { seq: number; status: string }>();
  readonly arrivedIds: { id: string; postId: string; status: string }[] = [];
  readonly latencies: number[] = [];
  rejected = 0;
  private polls = 0;
  private pollTime = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];

  private constructor(
    private readonly events: EventsClient,
    private readonly tail: EventTail,
    private readonly intervalMs: number,
  ) {}

  static async start(natsUrl: string, intervalMs = 5): Promise<QueryAckWatcher> {
    const events = await EventsClient.connect({ server: natsUrl });
    const tail = await events.tail('comment.moderated', { since: new Date(Date.now() - 1_000) });
    const watcher = new QueryAckWatcher(events, tail, intervalMs);
    watcher.loops = [watcher.readDecisions(), watcher.pollAckFloor()];
    return watcher;
  }

  add(comment: Outstanding): void {
    this.outstanding.set(comment.id, comment);
  }

  get pending(): number {
    return this.outstanding.size;
  }

  get meanPollMs(): number {
    return this.polls ? this.pollTime / this.polls + this.intervalMs : NaN;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.tail.stop();
    await Promise.allSettled(this.loops);
    await this.events.close();
  }

  private async readDecisions(): Promise<void> {
    for await (const { seq, event } of this.tail) {
      if (event?.subject === 'comment.moderated') {
        const data = event.data as { commentId: string; status: string };
        this.decisions.set(data.commentId, { seq, status: data.status });
      }
      if (this.stopped) break;
    }
  }

  private async pollAckFloor(): Promise<void> {
    const stream = this.events.connection.names.stream('COMMENTS');
    while (!this.stopped) {
      const started = performance.now();
      try {
        const info = await this.events.connection.jsm.consumers.info(stream, 'query');
        const now = performance.now();
        this.pollTime += now - started;
        this.polls++;
        const floor = info.ack_floor.stream_seq;
        for (const [id, item] of this.outstanding) {
          const decision = this.decisions.get(id);
          if (decision && decision.seq <= floor) {
            this.outstanding.delete(id);
            this.latencies.push(now - item.answeredAt);
            this.arrivedIds.push({ id, postId: item.postId, status: decision.status });
            if (decision.status === 'rejected') this.rejected++;
          }
        }
      } catch {
        // NATS busy: poll again
      }
      await new Promise((r) => setTimeout(r, this.intervalMs));
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
  natsUrl: string;
  /** Every n-th comment contains the blocked word and ends rejected. */
  rejectEvery?: number;
}

/**
 * Comments at a steady rate (`rate` per second for `seconds`), each POSTed
 * through the gateway at its scheduled time whether or not earlier ones have
 * answered (an open model: a slow platform does not slow the arrivals down).
 */
export async function steadyLatency(phase: LatencyPhase, rate: number, seconds: number): Promise<LatencyResult> {
  const watcher = await QueryAckWatcher.start(phase.natsUrl);
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
  const watcher = await QueryAckWatcher.start(phase.natsUrl);
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

async function sendOne(phase: LatencyPhase, watcher: QueryAckWatcher, i: number): Promise<boolean> {
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
  watcher: QueryAckWatcher,
  sent: number,
  failedPosts: number,
  postSeconds: number,
): Promise<LatencyResult> {
  const deadline = performance.now() + phase.drainTimeoutS * 1000;
  while (watcher.pending > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const neverArrived = watcher.pending;
  await watcher.stop();
  const verifiedInQuery = await verifyInQuery(phase, watcher.arrivedIds);
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
    verifiedInQuery,
  };
}

/** Reads each post page once (as the comments' author) and counts the arrived comments shown with their decided status. */
async function verifyInQuery(
  phase: LatencyPhase,
  arrived: { id: string; postId: string; status: string }[],
): Promise<number> {
  let verified = 0;
  for (const postId of new Set(arrived.map((a) => a.postId))) {
    const res = await phase.author.request<{ post?: { comments?: { id: string; status: string }[] } }>(
      phase.queryOrigin,
      'GET',
      `/api/query/posts/${postId}`,
    );
    const shown = new Map((res.body?.post?.comments ?? []).map((c) => [c.id, c.status]));
    verified += arrived.filter((a) => a.postId === postId && shown.get(a.id) === a.status).length;
  }
  return verified;
}
