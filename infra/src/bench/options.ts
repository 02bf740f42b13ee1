/**
 * How long and how hard the benchmark runs. The default run takes about seven
 * minutes on a 2-core machine; `smoke` takes about a minute and only proves
 * that every figure is produced (it runs inside `npm test`). Every value can be
 * changed from the environment (BENCH_*) or from flags (`--duration 20`, `--smoke`).
 */
export interface BenchOptions {
  mode: 'default' | 'smoke';
  /** Seconds of each loaded autocannon phase (reads, HTML pages, writes). */
  durationS: number;
  /** Seconds of warm-up before each read phase (not measured). */
  warmupS: number;
  /** Concurrent connections of the JSON read phases (the same for their bare-Node ceilings). */
  connections: number;
  /** Concurrent connections of the HTML page phases (server-side rendering: more would only queue). */
  htmlConnections: number;
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
  /** How long to keep waiting for comments still not final after a latency or write phase. */
  drainTimeoutS: number;
  /** The catch-up check: every comment of the write phase final within this many seconds after it stops. */
  catchUpS: number;
  /** Seed: users, posts (with tags). */
  users: number;
  posts: number;
  /** Posts published straight to NATS (`post.created`) for the scale phase. */
  scalePosts: number;
  /** How long the query service may take to apply them. */
  scaleTimeoutS: number;
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
  htmlConnections: 10,
  writeConnections: 10,
  probeS: 2,
  steadyRate: 20,
  steadyS: 15,
  burstRate: 200,
  burstS: 10,
  drainTimeoutS: 20,
  catchUpS: 2,
  users: 10,
  posts: 100,
  scalePosts: 10_000,
  scaleTimeoutS: 120,
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
  htmlConnections: 2,
  writeConnections: 4,
  probeS: 1,
  steadyRate: 20,
  steadyS: 1,
  burstRate: 50,
  burstS: 1,
  drainTimeoutS: 15,
  users: 3,
  posts: 25,
  scalePosts: 200,
  scaleTimeoutS: 60,
  rebuildEvents: 1_000,
  rebuildTimeoutS: 60,
};

const numeric: { [K in keyof BenchOptions]?: string } = {
  durationS: 'BENCH_DURATION_S',
  warmupS: 'BENCH_WARMUP_S',
  connections: 'BENCH_CONNECTIONS',
  htmlConnections: 'BENCH_HTML_CONNECTIONS',
  writeConnections: 'BENCH_WRITE_CONNECTIONS',
  probeS: 'BENCH_PROBE_S',
  steadyRate: 'BENCH_STEADY_RATE',
  steadyS: 'BENCH_STEADY_S',
  burstRate: 'BENCH_BURST_RATE',
  burstS: 'BENCH_BURST_S',
  drainTimeoutS: 'BENCH_DRAIN_TIMEOUT_S',
  catchUpS: 'BENCH_CATCH_UP_S',
  users: 'BENCH_USERS',
  posts: 'BENCH_POSTS',
  scalePosts: 'BENCH_SCALE_POSTS',
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
