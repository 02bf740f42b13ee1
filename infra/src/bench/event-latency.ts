import { performance } from 'node:perf_hooks';
import { EventsClient, type EventTail } from '@postline/common/tools';
import { AuthorView, type AuthorViewFigures } from './author-view';
import type { BenchUser } from './bench-user';
import { commentBody } from './seed';
import { leastSquaresSlope, percentile } from './process-stats';

/** The durable consumer whose acknowledgements say "applied by query". */
const QUERY_CONSUMER = 'query';
const COMMENTS_STREAM = 'COMMENTS';

type Subscription = ReturnType<EventsClient['connection']['connection']['subscribe']>;

/**
 * Wall-clock milliseconds with sub-millisecond precision: `performance.now()`
 * moved onto the system clock (nats-server stamps its acknowledgement samples
 * with that clock), calibrated once on a tick of `Date.now()`.
 */
export const epochMs = (() => {
  const first = Date.now();
  let tick = Date.now();
  while (tick === first) tick = Date.now();
  const offset = tick - performance.now();
  return () => offset + performance.now();
})();

/** `2026-11-24T15:37:50.833659737Z` → epoch ms with the nanoseconds kept. */
function isoNanosToMs(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(iso);
  if (!m) return Date.parse(iso);
  return Date.parse(`${m[1]}Z`) + Number(`0${m[2] ?? ''}`) * 1000;
}

interface Decision {
  seq: number;
  status: string;
  postId: string;
  /** When JetStream stored the decision (epoch ms, ms precision). */
  storedAt: number;
}

/** One comment's way from its 201 to final in query, in three hops (ms; stream times have ms precision). */
export interface Hops {
  /** 201 received → `comment.created` stored in JetStream (negative: published before the answer arrived). */
  created: number;
  /** `comment.created` stored → moderation's `comment.moderated` stored. */
  moderated: number;
  /** `comment.moderated` stored → applied and acknowledged by query. */
  applied: number;
}

/**
 * Sees comments reach the query service with their final status without
 * loading it. Moderation's `comment.moderated` events (and the
 * `comment.created` ones, to know every comment of a write phase) are tailed
 * from NATS with their stream sequence. The query service applies an event to
 * its read models before acknowledging it, so the acknowledgement of a
 * comment's decision by query's durable consumer is the moment a read of the
 * post page shows the final status. Those acknowledgements are observed two ways:
 *
 * - **ack samples** (exact): the consumer's `sample_freq` is set to 100 % for
 *   the phase, and nats-server publishes a metric for every acknowledgement
 *   (`$JS.EVENT.METRIC.CONSUMER.ACK.<stream>.query`) stamped with the server's
 *   clock in nanoseconds;
 * - **the ack floor** (a fallback, conservative): the consumer's
 *   acknowledgement floor polled every few milliseconds; once it passes a
 *   decision's sequence, that decision is applied.
 *
 * Polling the post pages over HTTP instead would put reads on query and the
 * database, the very parts being measured; at the end each post page is read
 * once to confirm (`verifiedInQuery`).
 */
export class CommentPipelineWatcher {
  private readonly outstanding = new Map<string, { postId: string; answeredAt: number }>();
  private readonly decisions = new Map<string, Decision>();
  /** Decisions not yet known to be applied: stream sequence → commentId. */
  private readonly unsettled = new Map<number, string>();
  /** commentId → postId and when its `comment.created` was stored, for every comment created since the start. */
  readonly created = new Map<string, { postId: string; storedAt: number }>();
  /** stream sequence → when query acknowledged it (server clock, epoch ms). */
  private readonly ackedAt = new Map<number, number>();
  /** The ack floor as polled: increasing floors with the time each was first seen. */
  private readonly floors: { floor: number; at: number }[] = [];
  /** commentId → when its decision was applied by query (epoch ms) and how that was seen. */
  readonly finalAt = new Map<string, { at: number; via: 'sample' | 'floor'; status: string; postId: string }>();
  readonly latencies: { ms: number; via: 'sample' | 'floor' }[] = [];
  /** Where each arrived comment's time went (those whose events were all seen). */
  readonly hops: Hops[] = [];
  /** Decisions timed by a sample, waiting for the ack floor to pass them too: seq → sample time. */
  private readonly awaitingFloor = new Map<number, number>();
  /** For decisions timed by both: how much later the ack floor showed them than their sample (ms), a cross-check. */
  readonly floorLags: number[] = [];
  readonly arrivedIds: { id: string; postId: string; status: string }[] = [];
  rejected = 0;
  private polls = 0;
  private pollTime = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private samples?: Subscription;
  private streamName = '';

  private constructor(
    private readonly events: EventsClient,
    private readonly tail: EventTail,
    private readonly floorEveryMs: number,
  ) {}

  /** Starts watching from now; `samples: false` times by the ack floor only. */
  static async start(natsUrl: string, options: { samples?: boolean } = {}): Promise<CommentPipelineWatcher> {
    const events = await EventsClient.connect({ server: natsUrl, name: 'bench-pipeline-watcher' });
    const stream = events.connection.names.stream(COMMENTS_STREAM);
    let sampling = false;
    if (options.samples !== false) {
      try {
        await events.connection.jsm.consumers.update(stream, QUERY_CONSUMER, { sample_freq: '100%' });
        sampling = true;
      } catch {
        // an older server or the consumer missing: the ack floor alone
      }
    }
    const tail = await events.tail('comment.*', { since: new Date(Date.now() - 50) });
    const watcher = new CommentPipelineWatcher(events, tail, sampling ? 25 : 2);
    watcher.streamName = stream;
    if (sampling)
      watcher.samples = events.connection.connection.subscribe(
        `$JS.EVENT.METRIC.CONSUMER.ACK.${stream}.${QUERY_CONSUMER}`,
      );
    watcher.loops = [watcher.readEvents(), watcher.pollAckFloor(), ...(sampling ? [watcher.readSamples()] : [])];
    return watcher;
  }

  get sampling(): boolean {
    return this.samples !== undefined;
  }

  /** A comment whose POST answered 201 at `answeredAt` (epochMs()); its latency is measured from then. */
  add(id: string, postId: string, answeredAt: number): void {
    this.outstanding.set(id, { postId, answeredAt });
    this.settle(id);
  }

  get pending(): number {
    return this.outstanding.size;
  }

  /** Mean time between two looks at the ack floor (the fallback's resolution). */
  get floorPollMs(): number {
    return this.polls ? this.pollTime / this.polls + this.floorEveryMs : NaN;
  }

  /** Comments created on these posts since the start, and those of them final in query. */
  createdOn(postIds: Set<string>): string[] {
    return [...this.created].filter(([, c]) => postIds.has(c.postId)).map(([id]) => id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.tail.stop();
    this.samples?.unsubscribe();
    await Promise.allSettled(this.loops);
    if (this.samples) {
      await this.events.connection.jsm.consumers
        .update(this.streamName, QUERY_CONSUMER, { sample_freq: '' })
        .catch(() => undefined);
    }
    await this.events.close();
  }

  private settle(id: string): void {
    if (this.finalAt.has(id)) {
      this.arrive(id);
      return;
    }
    const decision = this.decisions.get(id);
    if (!decision) return;
    const sampled = this.ackedAt.get(decision.seq);
    let at: number | undefined;
    let via: 'sample' | 'floor' = 'sample';
    if (sampled !== undefined) at = sampled;
    else {
      const passed = this.floors.find((f) => f.floor >= decision.seq);
      if (passed) {
        at = passed.at;
        via = 'floor';
      }
    }
    if (at === undefined) return;
    this.unsettled.delete(decision.seq);
    if (via === 'sample') this.awaitingFloor.set(decision.seq, at);
    this.finalAt.set(id, { at, via, status: decision.status, postId: decision.postId });
    this.arrive(id);
  }

  private arrive(id: string): void {
    const item = this.outstanding.get(id);
    const final = this.finalAt.get(id);
    if (!item || !final) return;
    this.outstanding.delete(id);
    this.latencies.push({ ms: Math.max(0, final.at - item.answeredAt), via: final.via });
    const created = this.created.get(id);
    const decision = this.decisions.get(id);
    if (created && decision) {
      this.hops.push({
        created: created.storedAt - item.answeredAt,
        moderated: decision.storedAt - created.storedAt,
        applied: final.at - decision.storedAt,
      });
    }
    this.arrivedIds.push({ id, postId: item.postId, status: final.status });
    if (final.status === 'rejected') this.rejected++;
  }

  private async readEvents(): Promise<void> {
    for await (const { seq, event, time } of this.tail) {
      if (event?.subject === 'comment.moderated') {
        const data = event.data as { commentId: string; postId: string; status: string };
        this.decisions.set(data.commentId, { seq, status: data.status, postId: data.postId, storedAt: time.getTime() });
        this.unsettled.set(seq, data.commentId);
        this.settle(data.commentId);
      } else if (event?.subject === 'comment.created') {
        const data = event.data as { id: string; postId: string };
        this.created.set(data.id, { postId: data.postId, storedAt: time.getTime() });
      }
      if (this.stopped) break;
    }
  }

  private async readSamples(): Promise<void> {
    for await (const msg of this.samples!) {
      try {
        const metric = JSON.parse(msg.string()) as { stream_seq: number; timestamp: string };
        this.ackedAt.set(metric.stream_seq, isoNanosToMs(metric.timestamp));
        const id = this.unsettled.get(metric.stream_seq);
        if (id !== undefined) this.settle(id);
      } catch {
        // not a metric
      }
    }
  }

  private async pollAckFloor(): Promise<void> {
    while (!this.stopped) {
      const started = performance.now();
      try {
        const info = await this.events.connection.jsm.consumers.info(this.streamName, QUERY_CONSUMER);
        this.pollTime += performance.now() - started;
        this.polls++;
        const floor = info.ack_floor.stream_seq;
        if (floor > (this.floors.at(-1)?.floor ?? 0)) {
          const at = epochMs();
          this.floors.push({ floor, at });
          for (const [seq, sampled] of [...this.awaitingFloor]) {
            if (seq > floor) continue;
            this.awaitingFloor.delete(seq);
            this.floorLags.push(at - sampled);
          }
          for (const [seq, id] of [...this.unsettled]) if (seq <= floor) this.settle(id);
        }
      } catch {
        // NATS busy: poll again
      }
      await new Promise((r) => setTimeout(r, this.floorEveryMs));
    }
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

export interface Backlog {
  /** Messages the services' durable consumers had not yet acknowledged (delivered or not), summed: mean over the phase's first quarter. */
  startPending: number;
  /** The same over the phase's last quarter. */
  endPending: number;
  maxPending: number;
  /** Least-squares slope of that sum over the phase, messages per second (> 0: falling behind). */
  slopePerS: number;
  /**
   * The backlog grew: over the phase (slope × duration) by more than 5 % of the
   * messages offered (and by more than 10), and it ended higher than it began.
   */
  growing: boolean;
  samples: number;
}

/**
 * The services' durable consumers' pending counts (not yet delivered + not
 * yet acknowledged, over every stream) every `everyMs` during a phase.
 */
export class BacklogSampler {
  private readonly points: { t: number; pending: number }[] = [];
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  private constructor(private readonly events: EventsClient) {}

  static async start(natsUrl: string, everyMs = 250): Promise<BacklogSampler> {
    const sampler = new BacklogSampler(await EventsClient.connect({ server: natsUrl, name: 'bench-backlog' }));
    sampler.loop = (async () => {
      const started = performance.now();
      while (!sampler.stopped) {
        try {
          const consumers = await sampler.events.consumers();
          const pending = consumers.reduce((sum, c) => sum + c.lag + c.unacknowledged, 0);
          sampler.points.push({ t: (performance.now() - started) / 1000, pending });
        } catch {
          // NATS busy: next time
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
    })();
    return sampler;
  }

  /** Ends sampling; `offered` is how many comments the phase posted (each is a few messages to consume). */
  async stop(offered: number): Promise<Backlog> {
    this.stopped = true;
    await this.loop;
    await this.events.close();
    const p = this.points;
    const n = p.length;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(xs.length, 1);
    const slopePerS = leastSquaresSlope(p.map((x) => [x.t, x.pending] as const));
    const quarter = Math.max(1, Math.floor(n / 4));
    const startPending = n ? round1(mean(p.slice(0, quarter).map((x) => x.pending))) : NaN;
    const endPending = n ? round1(mean(p.slice(-quarter).map((x) => x.pending))) : NaN;
    const span = n > 1 ? p.at(-1)!.t - p[0]!.t : 0;
    return {
      startPending,
      endPending,
      maxPending: Math.max(...p.map((x) => x.pending), 0),
      slopePerS: round1(slopePerS),
      growing: slopePerS * span > Math.max(10, 0.05 * offered) && endPending > startPending,
      samples: n,
    };
  }
}

export interface LatencyResult {
  /** The rate asked for (comments per second). */
  targetRate: number;
  /** Comments whose POST answered 201. */
  sent: number;
  /** POSTs that failed (not 201), and why: status code or connection error → count. */
  failedPosts: number;
  failures: Record<string, number>;
  /** Comments seen applied by query with their final status (approved/rejected). */
  arrived: number;
  /** Comments never seen with a final status within the drain timeout. */
  neverArrived: number;
  /** Comments per second actually posted. */
  postRate: number;
  /** The POST's own answer time (request sent → 201), ms. */
  postP50Ms: number;
  postP99Ms: number;
  /** 201 of the POST → decision applied by query, ms. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Of the arrived comments, how many were timed by an ack sample (exact); the rest by the ack floor. */
  timedBySamples: number;
  /** Mean time between two looks at the ack floor (the resolution of comments timed by it). */
  floorPollMs: number;
  /** Cross-check of the samples: median of how much later the polled ack floor passed a sampled decision (ms; ≥ 0 expected). */
  floorLagP50Ms: number;
  /** Of the arrived comments, how many a final read of their post pages showed with that status. */
  verifiedInQuery: number;
  /** Rejected comments among those that arrived (they must arrive too, with status rejected). */
  rejected: number;
  /** The consumers' pending messages over the phase. */
  backlog: Backlog;
  /** Where the time went, hop by hop (p50 and p99 of each hop on its own; they need not add up). */
  hops: { [K in keyof Hops]: { p50Ms: number; p99Ms: number } };
  /** The final status as the author sees it (their live stream, re-reading the page), with the readers' streams open. */
  author: AuthorViewFigures;
}

export interface LatencyPhase {
  url: string;
  queryOrigin: string;
  author: BenchUser;
  /** Reads every comment with its status (for the final check). */
  moderator: BenchUser;
  postIds: string[];
  drainTimeoutS: number;
  natsUrl: string;
  /** Every n-th comment contains the blocked word and ends rejected. */
  rejectEvery?: number;
  /** false: time by the ack floor only (to cross-check the ack samples). */
  ackSamples?: boolean;
  /** Anonymous live streams open on the phase's posts, and how often the author re-reads the post page. */
  readers: number;
  pollEveryMs: number;
}

/**
 * Comments at a steady rate (`rate` per second for `seconds`), each POSTed
 * through the gateway at its scheduled time whether or not earlier ones have
 * answered (an open model: a slow platform does not slow the arrivals down).
 * Latency: from the POST's 201 to the final status as its author sees it,
 * on their live stream and by re-reading the post page (AuthorView), with
 * `readers` anonymous streams open on the posts; and to query's
 * acknowledgement of the comment's decision (applied: the moment a read could
 * show it), which splits the time into the pipeline's hops and the delivery.
 */
export async function rateLatency(phase: LatencyPhase, rate: number, seconds: number): Promise<LatencyResult> {
  const view = await AuthorView.open({
    gateway: phase.url,
    author: phase.author,
    postIds: phase.postIds,
    readers: phase.readers,
    pollEveryMs: phase.pollEveryMs,
  });
  const watcher = await CommentPipelineWatcher.start(phase.natsUrl, { samples: phase.ackSamples });
  const backlog = await BacklogSampler.start(phase.natsUrl);
  const total = Math.max(1, Math.round(rate * seconds));
  const start = performance.now();
  const failures: Record<string, number> = {};
  const postTimes: number[] = [];
  const posts: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    posts.push(
      sendOne(phase, watcher, view, i).then((outcome) => {
        if ('ms' in outcome) postTimes.push(outcome.ms);
        else failures[outcome.failure] = (failures[outcome.failure] ?? 0) + 1;
      }),
    );
  }
  const postSeconds = (performance.now() - start) / 1000;
  const backlogFigures = await backlog.stop(total);
  await Promise.all(posts);
  const [result, author] = await Promise.all([
    finish(phase, watcher, postTimes.length, failures, postSeconds, postTimes, rate, backlogFigures),
    view.finish(phase.drainTimeoutS * 1000),
  ]);
  return { ...result, author };
}

/** POSTs one comment; resolves to how long the POST took (ms), or why it failed (its status, or the error). */
async function sendOne(
  phase: LatencyPhase,
  watcher: CommentPipelineWatcher,
  view: AuthorView,
  i: number,
): Promise<{ ms: number } | { failure: string }> {
  const postId = phase.postIds[i % phase.postIds.length]!;
  const rejected = i % (phase.rejectEvery ?? 5) === 4;
  const sentAt = epochMs();
  try {
    const res = await fetch(`${phase.url}/api/comments`, {
      method: 'POST',
      headers: { ...phase.author.headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ postId, body: commentBody(i, rejected) }),
    });
    const text = await res.text();
    const answeredAt = epochMs();
    if (res.status !== 201) return { failure: String(res.status) };
    const { id } = JSON.parse(text) as { id: string };
    watcher.add(id, postId, answeredAt);
    view.add(id, postId, answeredAt);
    return { ms: answeredAt - sentAt };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { failure: cause ?? (err as Error).name ?? 'error' };
  }
}

async function finish(
  phase: LatencyPhase,
  watcher: CommentPipelineWatcher,
  sent: number,
  failures: Record<string, number>,
  postSeconds: number,
  postTimes: number[],
  targetRate: number,
  backlog: Backlog,
): Promise<Omit<LatencyResult, 'author'>> {
  const deadline = performance.now() + phase.drainTimeoutS * 1000;
  while (watcher.pending > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const neverArrived = watcher.pending;
  await watcher.stop();
  const verifiedInQuery = await verifyInQuery(phase.queryOrigin, phase.moderator, watcher.arrivedIds);
  const sorted = watcher.latencies.map((l) => l.ms).sort((a, b) => a - b);
  const posted = [...postTimes].sort((a, b) => a - b);
  return {
    targetRate,
    sent,
    failedPosts: Object.values(failures).reduce((sum, n) => sum + n, 0),
    failures,
    arrived: sorted.length,
    neverArrived,
    postRate: round1(sent / Math.max(postSeconds, 0.001)),
    postP50Ms: round1(percentile(posted, 50)),
    postP99Ms: round1(percentile(posted, 99)),
    p50Ms: round2(percentile(sorted, 50)),
    p95Ms: round2(percentile(sorted, 95)),
    p99Ms: round2(percentile(sorted, 99)),
    maxMs: round2(sorted.at(-1) ?? NaN),
    timedBySamples: watcher.latencies.filter((l) => l.via === 'sample').length,
    floorPollMs: round1(watcher.floorPollMs),
    floorLagP50Ms: round2(
      percentile(
        [...watcher.floorLags].sort((a, b) => a - b),
        50,
      ),
    ),
    rejected: watcher.rejected,
    verifiedInQuery,
    backlog,
    hops: hopFigures(watcher.hops),
  };
}

function hopFigures(hops: Hops[]): LatencyResult['hops'] {
  const of = (key: keyof Hops) => {
    const sorted = hops.map((h) => h[key]).sort((a, b) => a - b);
    return { p50Ms: round1(percentile(sorted, 50)), p99Ms: round1(percentile(sorted, 99)) };
  };
  return { created: of('created'), moderated: of('moderated'), applied: of('applied') };
}

/**
 * Reads each post page once straight from query as a moderator (who sees
 * every comment with its status) and counts the comments shown with the
 * status their decision gave.
 */
export async function verifyInQuery(
  queryOrigin: string,
  moderator: BenchUser,
  arrived: { id: string; postId: string; status: string }[],
): Promise<number> {
  let verified = 0;
  for (const postId of new Set(arrived.map((a) => a.postId))) {
    const res = await moderator.request<{ post?: { comments?: { id: string; status: string }[] } }>(
      queryOrigin,
      'GET',
      `/api/query/posts/${postId}`,
    );
    const shown = new Map((res.body?.post?.comments ?? []).map((c) => [c.id, c.status]));
    verified += arrived.filter((a) => a.postId === postId && shown.get(a.id) === a.status).length;
  }
  return verified;
}

export interface CatchUp {
  /** `POST /api/comments` answered 201 (autocannon's count). */
  answered: number;
  /** Comments created on the phase's posts, as their `comment.created` events show (in-flight ones included). */
  created: number;
  /** Of them, final in query within `withinS` after the load stopped. */
  finalWithin: number;
  withinS: number;
  /** Final in query by the end of the wait (drain timeout). */
  finalAtEnd: number;
  /** When the last of them became final, ms after the load stopped (-1: some never did within the wait). */
  lastFinalAfterMs: number;
  /** Of the final ones, how many were timed by an ack sample (exact); the rest by the ack floor. */
  timedBySamples: number;
  /** Final ones a read of their post pages afterwards showed with that status. */
  verifiedInQuery: number;
  /** Every created comment final within `withinS`. */
  keptUp: boolean;
}

/**
 * The catch-up check after a write phase: every comment it created must be
 * final in query within `withinS` seconds after the load stopped. Waits (up
 * to `timeoutS`) until each created comment is final, then counts.
 */
export async function catchUp(options: {
  watcher: CommentPipelineWatcher;
  postIds: string[];
  answered: number;
  stoppedAt: number;
  withinS: number;
  timeoutS: number;
  queryOrigin: string;
  moderator: BenchUser;
}): Promise<CatchUp> {
  const { watcher } = options;
  const targets = new Set(options.postIds);
  const deadline = performance.now() + options.timeoutS * 1000;
  const finalOf = (ids: string[]) => ids.filter((id) => watcher.finalAt.has(id));
  for (;;) {
    const created = watcher.createdOn(targets);
    const done = created.length >= options.answered && finalOf(created).length === created.length;
    if (done || performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  // Anything created a moment later (a POST in flight when the load stopped) is waited for just as well.
  await new Promise((r) => setTimeout(r, 200));
  const created = watcher.createdOn(targets);
  await watcher.stop();
  const final = finalOf(created).map((id) => ({ id, ...watcher.finalAt.get(id)! }));
  const limit = options.stoppedAt + options.withinS * 1000;
  const finalWithin = final.filter((f) => f.at <= limit).length;
  const last = Math.max(...final.map((f) => f.at), options.stoppedAt);
  const verifiedInQuery = await verifyInQuery(options.queryOrigin, options.moderator, final);
  return {
    answered: options.answered,
    created: created.length,
    finalWithin,
    withinS: options.withinS,
    finalAtEnd: final.length,
    lastFinalAfterMs: final.length === created.length ? round1(last - options.stoppedAt) : -1,
    timedBySamples: final.filter((f) => f.via === 'sample').length,
    verifiedInQuery,
    keptUp: created.length > 0 && finalWithin === created.length,
  };
}
