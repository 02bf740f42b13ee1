import { performance } from 'node:perf_hooks';
import { ApiUser } from './api-client';

export type WriteKind = 'signup' | 'post' | 'like' | 'follow' | 'comment';

/** One write request and how the platform answered it. */
export interface Attempt {
  kind: WriteKind;
  /** What the write names, for finding it afterwards: a username, a post title, a comment body, or `user→target`. */
  key: string;
  status: number;
  /** The answer's JSON (undefined if it was not JSON). */
  body: unknown;
  ms: number;
  /** Set when no HTTP answer came at all (connection refused, reset, timed out). */
  error?: string;
}

export type Writer = ApiUser & { id: string; username: string };

/** What the writes aim at, shared by the loads of successive scenarios. */
export interface Targets {
  writers: Writer[];
  /** Posts the comments service knows (created before any load): comments go to these. */
  seedPosts: string[];
  /** Every post known to exist: the seed posts and those the loads created. Likes go to these. */
  posts: string[];
  /** `user→post` likes and `user→username` follows tried so far: each pair once, so its effect is countable. */
  tried: Set<string>;
}

/** The kinds in proportion: one sign-up in twenty, and so on. */
const mix: WriteKind[] = [
  'signup',
  ...Array<WriteKind>(4).fill('post'),
  ...Array<WriteKind>(6).fill('like'),
  ...Array<WriteKind>(3).fill('follow'),
  ...Array<WriteKind>(6).fill('comment'),
];

/**
 * Steady writes through the gateway at a fixed rate from several signed-in
 * users: sign-ups, posts, likes, follows and comments, each named uniquely so
 * that every one can be found (once, and only once) afterwards. A request is
 * sent on schedule whether or not the earlier ones have been answered, as
 * independent users would; nothing is retried. Comments go to posts created
 * before the load started (the comments service already knows them).
 */
export class SteadyLoad {
  readonly attempts: Attempt[] = [];
  private readonly pending = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private sent = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly label: string,
    private readonly targets: Targets,
    private readonly perSecond: number,
    /** A request unanswered after this long counts as hung (the gateway's upstream timeout, plus a margin). */
    private readonly hangMs: number,
  ) {}

  start(): void {
    const startedAt = performance.now();
    const tick = () => {
      // Catch up with the schedule after a stalled event loop instead of drifting.
      const due = Math.floor(((performance.now() - startedAt) / 1000) * this.perSecond);
      while (this.sent < due) {
        const kind = mix[this.sent % mix.length]!;
        try {
          this.send(kind, this.sent++);
        } catch (err) {
          // Recorded, not thrown: an exception in a timer would end the process and leave its platform running.
          this.attempts.push({ kind, key: 'the load itself', status: 0, body: undefined, ms: 0, error: String(err) });
        }
      }
    };
    this.timer = setInterval(tick, 20);
  }

  /** Stops sending and waits for every request in flight to be answered (or to hang up). */
  async stop(): Promise<Attempt[]> {
    clearInterval(this.timer);
    await Promise.all(this.pending);
    return this.attempts;
  }

  private send(kind: WriteKind, n: number): void {
    const { writers, seedPosts, posts } = this.targets;
    const writer = writers[n % writers.length]!;
    const tag = `${this.label}-${n}`;
    let request: { key: string; method: string; path: string; body: unknown; as?: ApiUser };
    switch (kind) {
      case 'signup': {
        const username = `${this.label}u${n}`;
        request = {
          key: username,
          method: 'POST',
          path: '/api/users/signup',
          body: { email: `${username}@example.test`, username, password: 'correct horse battery' },
        };
        break;
      }
      case 'post':
        request = { key: `Post ${tag}`, method: 'POST', path: '/api/posts', body: { title: `Post ${tag}`, body: tag } };
        break;
      case 'like': {
        const post = this.untried((i) => `${writer.id}→${posts[i % posts.length]}`);
        request = { key: post, method: 'POST', path: `/api/posts/${post.split('→')[1]}/like`, body: undefined };
        break;
      }
      case 'follow': {
        const edge = this.untried((i) => {
          const other = writers[i % writers.length]!;
          return other === writer ? '' : `${writer.id}→${other.username}`;
        });
        request = { key: edge, method: 'POST', path: `/api/users/${edge.split('→')[1]}/follow`, body: undefined };
        break;
      }
      case 'comment': {
        const postId = seedPosts[n % seedPosts.length]!;
        // One in five with the blocked word: moderation rejects it, with its reason.
        const text = n % 5 === 0 ? `Comment ${tag}, orange` : `Comment ${tag}`;
        request = { key: text, method: 'POST', path: '/api/comments', body: { postId, body: text } };
        break;
      }
    }
    const as = kind === 'signup' ? new ApiUser(this.baseUrl, request.key) : writer;
    const work = this.call(kind, request.key, () =>
      as.request(request.method, request.path, request.body, this.hangMs),
    );
    if (kind === 'post' || kind === 'signup') {
      // What was created becomes a target (a signed-up user writes too): likes and follows never run out.
      void work.then(() => {
        const created = this.attempts.find((a) => a.key === request.key);
        const id = (created?.body as { id?: string } | undefined)?.id;
        if (created?.status !== 201 || !id) return;
        if (kind === 'post') posts.push(id);
        else writers.push(Object.assign(as, { id, username: request.key }));
      });
    }
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** A like or follow not tried before (each pair at most once, so its effect is countable). */
  private untried(candidate: (i: number) => string): string {
    for (let i = 0; i < 500; i++) {
      const key = candidate(Math.floor(Math.random() * 100_000));
      if (key && !this.targets.tried.has(key)) {
        this.targets.tried.add(key);
        return key;
      }
    }
    throw new Error('the load ran out of untried pairs: give it more writers or posts');
  }

  private async call(kind: WriteKind, key: string, request: () => Promise<{ status: number; body: unknown }>) {
    const started = performance.now();
    try {
      const { status, body } = await request();
      this.attempts.push({ kind, key, status, body, ms: performance.now() - started });
    } catch (err) {
      this.attempts.push({
        kind,
        key,
        status: 0,
        body: undefined,
        ms: performance.now() - started,
        error: String(err),
      });
    }
  }
}
