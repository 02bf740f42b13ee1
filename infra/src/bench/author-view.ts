import { EventSource } from 'eventsource';
import type { LiveEvents } from '@postline/common/api';
import type { BenchUser } from './bench-user';
import { epochMs } from './event-latency';
import { percentile } from './process-stats';

/** How a set of comments was seen: when each one showed up after its POST's 201 (ms). */
export interface SeenFigures {
  seen: number;
  /** Not seen before the wait ended. */
  neverSeen: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface AuthorViewFigures {
  /** The author's own live stream (signed in: their comments in every status): 201 → final status pushed. */
  live: SeenFigures & { streamOpen: boolean };
  /** The author re-reading the post page through the gateway: 201 → an answer showing the final status. */
  polled: SeenFigures & { reads: number; readP50Ms: number; readP99Ms: number; failedReads: number };
  /** The anonymous readers' streams: how many were open, and 201 → an approved comment pushed to each of its post's readers. */
  readers: { streams: number; open: number; deliveries: number; p50Ms: number; p99Ms: number };
}

const final = (status: string) => status === 'approved' || status === 'rejected';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** EventSource with the cookie a signed-in browser sends (`eventsource` takes a fetch to add headers). */
function liveStream(url: string, cookie?: string): EventSource {
  return new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers ?? {}), ...(cookie ? { Cookie: cookie } : {}) } }),
  });
}

/**
 * Watches comments the way their author and the post's readers meet them, all
 * through the gateway: `readers` anonymous live streams on the commented posts
 * (as `LivePost` opens them in the browser, one per open page), the author's
 * own signed-in stream (which carries their comments in every status, on any
 * post), and the author re-reading the post page every `pollEveryMs` (after
 * each answer) while a comment of theirs on it is not final.
 */
export class AuthorView {
  private readonly answeredAt = new Map<string, number>();
  private readonly liveAt = new Map<string, number>();
  private readonly polledAt = new Map<string, number>();
  private readonly readerDeliveries: number[] = [];
  /** postId → the author's comments on it not yet seen final by a read. */
  private readonly unpolled = new Map<string, Set<string>>();
  private readonly pollers = new Map<string, Promise<void>>();
  private readonly readTimes: number[] = [];
  private failedReads = 0;
  private readonly streams: EventSource[] = [];
  /** Streams that opened (a reconnection counts once). */
  private readonly opened = new Set<EventSource>();
  private closed = false;

  private constructor(
    private readonly gateway: string,
    private readonly author: BenchUser,
    private readonly pollEveryMs: number,
  ) {}

  static async open(options: {
    gateway: string;
    author: BenchUser;
    postIds: string[];
    readers: number;
    pollEveryMs: number;
    /** How long the streams may take to open (those still closed then are reported). */
    openTimeoutMs?: number;
  }): Promise<AuthorView> {
    const view = new AuthorView(options.gateway, options.author, options.pollEveryMs);
    const url = (postId: string) => `${options.gateway}/api/query/live?post=${encodeURIComponent(postId)}`;
    const own = liveStream(url(options.postIds[0]!), options.author.cookie);
    view.follow(own, (data, at) => {
      if (
        data.comment.author.id === options.author.id &&
        final(data.comment.status) &&
        !view.liveAt.has(data.comment.id)
      )
        view.liveAt.set(data.comment.id, at);
    });
    for (let r = 0; r < options.readers; r++) {
      view.follow(liveStream(url(options.postIds[r % options.postIds.length]!)), (data, at) => {
        const answered = view.answeredAt.get(data.comment.id);
        if (answered !== undefined && data.comment.status === 'approved') view.readerDeliveries.push(at - answered);
      });
    }
    const deadline = Date.now() + (options.openTimeoutMs ?? 15_000);
    while (view.opened.size < view.streams.length && Date.now() < deadline) await sleep(20);
    return view;
  }

  private follow(stream: EventSource, onComment: (data: LiveEvents['comment'], at: number) => void): void {
    this.streams.push(stream);
    stream.onopen = () => this.opened.add(stream);
    stream.addEventListener('comment', (e) => {
      const at = epochMs();
      onComment(JSON.parse(e.data as string) as LiveEvents['comment'], at);
    });
  }

  /** The author's comment answered 201 at `answeredAt` (epochMs()): watch for its final status. */
  add(id: string, postId: string, answeredAt: number): void {
    this.answeredAt.set(id, answeredAt);
    const waiting = this.unpolled.get(postId) ?? new Set<string>();
    waiting.add(id);
    this.unpolled.set(postId, waiting);
    if (!this.pollers.has(postId)) {
      const poller = this.poll(postId).finally(() => this.pollers.delete(postId));
      this.pollers.set(postId, poller);
    }
  }

  /** Re-reads the post page as its author until every comment of theirs on it shows its final status. */
  private async poll(postId: string): Promise<void> {
    const waiting = this.unpolled.get(postId)!;
    while (waiting.size > 0 && !this.closed) {
      const started = performance.now();
      try {
        const res = await fetch(`${this.gateway}/api/query/posts/${postId}`, { headers: this.author.headers });
        const body = (await res.json()) as { post?: { comments?: { id: string; status: string }[] } };
        const at = epochMs();
        this.readTimes.push(performance.now() - started);
        if (!res.ok) this.failedReads++;
        for (const c of body.post?.comments ?? []) {
          if (waiting.has(c.id) && final(c.status)) {
            waiting.delete(c.id);
            this.polledAt.set(c.id, at);
          }
        }
      } catch {
        this.failedReads++;
      }
      await sleep(this.pollEveryMs);
    }
  }

  /** Every added comment seen both ways? */
  get settled(): boolean {
    return [...this.answeredAt.keys()].every((id) => this.liveAt.has(id) && this.polledAt.has(id));
  }

  /** Waits (up to `timeoutMs`) until every added comment was seen on the live stream and by a read, then closes. */
  async finish(timeoutMs: number): Promise<AuthorViewFigures> {
    const deadline = Date.now() + timeoutMs;
    while (!this.settled && Date.now() < deadline) await sleep(20);
    // The readers' deliveries of the last approved comments come a moment after the author's.
    await sleep(100);
    this.closed = true;
    for (const stream of this.streams) stream.close();
    await Promise.allSettled(this.pollers.values());
    const reads = [...this.readTimes].sort((a, b) => a - b);
    const deliveries = [...this.readerDeliveries].sort((a, b) => a - b);
    return {
      live: { ...this.figures(this.liveAt), streamOpen: this.opened.has(this.streams[0]!) },
      polled: {
        ...this.figures(this.polledAt),
        reads: reads.length,
        readP50Ms: round2(percentile(reads, 50)),
        readP99Ms: round2(percentile(reads, 99)),
        failedReads: this.failedReads,
      },
      readers: {
        streams: this.streams.length - 1,
        open: this.streams.slice(1).filter((s) => this.opened.has(s)).length,
        deliveries: deliveries.length,
        p50Ms: round2(percentile(deliveries, 50)),
        p99Ms: round2(percentile(deliveries, 99)),
      },
    };
  }

  private figures(seenAt: Map<string, number>): SeenFigures {
    const ms: number[] = [];
    for (const [id, answered] of this.answeredAt) {
      const at = seenAt.get(id);
      if (at !== undefined) ms.push(Math.max(0, at - answered));
    }
    ms.sort((a, b) => a - b);
    return {
      seen: ms.length,
      neverSeen: this.answeredAt.size - ms.length,
      p50Ms: round2(percentile(ms, 50)),
      p95Ms: round2(percentile(ms, 95)),
      p99Ms: round2(percentile(ms, 99)),
      maxMs: round2(ms.at(-1) ?? NaN),
    };
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;
