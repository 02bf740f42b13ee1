/**
 * How long and how hard the benchmark runs (README.md says how long a default
 * run takes); `smoke` takes about a minute and only proves that every figure
 * is produced (it runs inside `npm test`). Every value can be changed from the
 * environment (BENCH_*) or from flags (`--duration 20`, `--smoke`).
 */
export interface BenchOptions {
  mode: 'default' | 'smoke';
  /** Seconds of each loaded autocannon phase (reads, HTML pages, writes). */
  durationS: number;
  /** Seconds of warm-up before each read phase (not measured). */
  warmupS: number;
  /** Concurrent connections of the JSON read phases (the same for their bare-Node ceilings). */
  connections: number;
  /** Concurrent connections of the anonymous HTML page phases (the same for their bare ceilings). */
  htmlConnections: number;
  /** Concurrent connections of the signed-in HTML page phases. */
  htmlSignedInConnections: number;
  /** How many times a change is made and the anonymous HTML page polled until it shows it. */
  freshnessSamples: number;
  /** Concurrent connections of the write phases (`POST /api/comments`, `POST /api/posts`). */
  writeConnections: number;
  /** Seconds of each one-connection probe that splits an HTML page's time (page, its API calls). */
  probeS: number;
  /** Steady event-latency phase: comments per second and for how long. */
  steadyRate: number;
  steadyS: number;
  /** Fast event-latency phase: comments per second and for how long (open model, as the steady one). */
  burstRate: number;
  burstS: number;
  /** Anonymous live streams (`GET /api/query/live?post=`) open on the commented posts during the comment phases. */
  readers: number;
  /** The author re-reads the post page this long after each answer while a comment of theirs is not final. */
  pollEveryMs: number;
  /** Beyond capacity: this many times the write phase's req/s, offered in an open model for `overloadS` s. */
  overloadFactor: number;
  overloadS: number;
  /** How long to keep waiting for comments still not final after a latency or write phase. */
  drainTimeoutS: number;
  /** The catch-up check: every comment of the write phase final within this many seconds after it stops. */
  catchUpS: number;
  /** Seed: users, posts (with tags). */
  users: number;
  posts: number;
  /** Posts published straight to NATS (`post.created`) for the scale phase. */
  scalePosts: number;
  /** Comments POSTed through the gateway onto those posts for the scale phase. */
  scaleComments: number;
  /** How long the scale seeding may take (the posts applied; the comments written and final). */
  scaleTimeoutS: number;
  /** Never-read post pages read once each (a cache miss in query), on the empty platform and at scale. */
  coldReads: number;
  /** Events replayed by the rebuild measurement, and its time limit. */
  rebuildEvents: number;
  rebuildTimeoutS: number;
  /** If the rebuild fails (not a timeout), it runs again with this QUERY_REPLAY_CONCURRENCY (0: no second attempt). */
  rebuildFallbackConcurrency: number;
  /** Time comments by query's ack samples (exact) and the ack floor; false: by the ack floor alone (`--ack-floor`). */
  ackSamples: boolean;
  /** Where the JSON result goes (a file), or empty for none. */
  out: string;
  /** Write a V8 CPU profile of every service and of the rebuild (in `profileDir`); slows everything down. */
  cpuProfile: boolean;
  profileDir: string;
}

export const defaultOptions: BenchOptions = {
  mode: 'default',
  durationS: 5,
  warmupS: 1,
  connections: 50,
  htmlConnections: 50,
  htmlSignedInConnections: 10,
  freshnessSamples: 5,
  writeConnections: 10,
  probeS: 2,
  steadyRate: 20,
  steadyS: 15,
  burstRate: 200,
  burstS: 10,
  readers: 100,
  pollEveryMs: 5,
  overloadFactor: 2,
  overloadS: 10,
  drainTimeoutS: 20,
  catchUpS: 1,
  users: 10,
  posts: 100,
  scalePosts: 10_000,
  scaleComments: 100_000,
  scaleTimeoutS: 2_400,
  coldReads: 20,
  rebuildEvents: 50_000,
  rebuildTimeoutS: 120,
  rebuildFallbackConcurrency: 4,
  ackSamples: true,
  out: '',
  cpuProfile: false,
  profileDir: '',
};

export const smokeOptions: BenchOptions = {
  ...defaultOptions,
  mode: 'smoke',
  durationS: 1,
  warmupS: 0,
  connections: 8,
  htmlConnections: 4,
  htmlSignedInConnections: 2,
  freshnessSamples: 1,
  writeConnections: 4,
  probeS: 1,
  steadyRate: 20,
  steadyS: 1,
  burstRate: 50,
  burstS: 1,
  readers: 10,
  overloadS: 1,
  drainTimeoutS: 15,
  users: 3,
  posts: 25,
  scalePosts: 200,
  scaleComments: 300,
  scaleTimeoutS: 120,
  coldReads: 3,
  rebuildEvents: 1_000,
  rebuildTimeoutS: 60,
};

const numeric: { [K in keyof BenchOptions]?: string } = {
  durationS: 'BENCH_DURATION_S',
  warmupS: 'BENCH_WARMUP_S',
  connections: 'BENCH_CONNECTIONS',
  htmlConnections: 'BENCH_HTML_CONNECTIONS',
  htmlSignedInConnections: 'BENCH_HTML_SIGNED_IN_CONNECTIONS',
  freshnessSamples: 'BENCH_FRESHNESS_SAMPLES',
  writeConnections: 'BENCH_WRITE_CONNECTIONS',
  probeS: 'BENCH_PROBE_S',
  steadyRate: 'BENCH_STEADY_RATE',
  steadyS: 'BENCH_STEADY_S',
  burstRate: 'BENCH_BURST_RATE',
  burstS: 'BENCH_BURST_S',
  readers: 'BENCH_READERS',
  pollEveryMs: 'BENCH_POLL_MS',
  overloadFactor: 'BENCH_OVERLOAD_FACTOR',
  overloadS: 'BENCH_OVERLOAD_S',
  drainTimeoutS: 'BENCH_DRAIN_TIMEOUT_S',
  catchUpS: 'BENCH_CATCH_UP_S',
  users: 'BENCH_USERS',
  posts: 'BENCH_POSTS',
  scalePosts: 'BENCH_SCALE_POSTS',
  scaleComments: 'BENCH_SCALE_COMMENTS',
  coldReads: 'BENCH_COLD_READS',
  scaleTimeoutS: 'BENCH_SCALE_TIMEOUT_S',
  rebuildEvents: 'BENCH_REBUILD_EVENTS',
  rebuildTimeoutS: 'BENCH_REBUILD_TIMEOUT_S',
  rebuildFallbackConcurrency: 'BENCH_REBUILD_FALLBACK_CONCURRENCY',
};

/** Flags are the environment names without BENCH_, lower-case with dashes: `--duration-s 20` or `--duration 20`. */
function flagNames(envName: string): string[] {
  const base = envName
    .replace(/^BENCH_/, '')
    .toLowerCase()
    .replace(/_/g, '-');
  return [`--${base}`, `--${base.replace(/-s$/, '')}`];
}

export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1';
  const options: BenchOptions = { ...(smoke ? smokeOptions : defaultOptions) };
  const flag = (names: string[]) => {
    for (const name of names) {
      const at = argv.indexOf(name);
      if (at >= 0) return argv[at + 1];
      const inline = argv.find((a) => a.startsWith(`${name}=`));
      if (inline) return inline.slice(name.length + 1);
    }
    return undefined;
  };
  for (const [key, envName] of Object.entries(numeric) as [keyof BenchOptions, string][]) {
    const raw = flag(flagNames(envName)) ?? env[envName];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${envName}: not a non-negative number: ${raw}`);
    (options as unknown as Record<string, number>)[key] = value;
  }
  options.out = flag(['--out']) ?? env.BENCH_OUT ?? '';
  options.cpuProfile = argv.includes('--cpu-prof') || env.BENCH_CPU_PROF === '1';
  options.ackSamples = !(argv.includes('--ack-floor') || env.BENCH_ACK_FLOOR === '1');
  options.profileDir = flag(['--profile-dir']) ?? env.BENCH_PROFILE_DIR ?? '';
  return options;
}
