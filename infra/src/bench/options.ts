/**
 * How long and how hard the benchmark runs. The default run takes about three
 * minutes on a 2-core machine; `smoke` takes seconds and only proves that every
 * figure is produced (it runs inside `npm test`). Every value can be changed
 * from the environment (BENCH_*) or from flags (`--duration 20`, `--smoke`).
 */
export interface BenchOptions {
  mode: 'default' | 'smoke';
  /** Seconds of each autocannon phase (reads and writes). */
  durationS: number;
  /** Seconds of warm-up before each read phase (not measured). */
  warmupS: number;
  /** Concurrent connections of every autocannon phase (the same for the ceiling and the reads). */
  connections: number;
  /** Steady event-latency phase: comments per second and for how long. */
  steadyRate: number;
  steadyS: number;
  /** Saturation event-latency phase: concurrent comment writers and for how long. */
  saturationWriters: number;
  saturationS: number;
  /** How long to keep waiting for comments still not visible after a latency phase. */
  drainTimeoutS: number;
  /** Seed: users, posts (with tags), comments per seeded post. */
  users: number;
  posts: number;
  /** Events replayed by the rebuild measurement, and its time limit. */
  rebuildEvents: number;
  rebuildTimeoutS: number;
  /** If the rebuild fails (not a timeout), it runs again with this QUERY_REPLAY_CONCURRENCY (0: no second attempt). */
  rebuildFallbackConcurrency: number;
  /** Where the JSON result goes (a file), or empty for none. */
  out: string;
  /** Write a V8 CPU profile of every service and of the rebuild (in `profileDir`); slows everything down. */
  cpuProfile: boolean;
  profileDir: string;
}

export const defaultOptions: BenchOptions = {
  mode: 'default',
  durationS: 4,
  warmupS: 1,
  connections: 10,
  steadyRate: 20,
  steadyS: 10,
  saturationWriters: 16,
  saturationS: 5,
  drainTimeoutS: 8,
  users: 10,
  posts: 100,
  rebuildEvents: 100_000,
  rebuildTimeoutS: 20,
  rebuildFallbackConcurrency: 4,
  out: '',
  cpuProfile: false,
  profileDir: '',
};

export const smokeOptions: BenchOptions = {
  ...defaultOptions,
  mode: 'smoke',
  durationS: 1,
  warmupS: 0,
  connections: 4,
  steadyRate: 20,
  steadyS: 1,
  saturationWriters: 4,
  saturationS: 1,
  drainTimeoutS: 15,
  users: 3,
  posts: 25,
  rebuildEvents: 1_000,
  rebuildTimeoutS: 60,
};

const numeric: { [K in keyof BenchOptions]?: string } = {
  durationS: 'BENCH_DURATION_S',
  warmupS: 'BENCH_WARMUP_S',
  connections: 'BENCH_CONNECTIONS',
  steadyRate: 'BENCH_STEADY_RATE',
  steadyS: 'BENCH_STEADY_S',
  saturationWriters: 'BENCH_SATURATION_WRITERS',
  saturationS: 'BENCH_SATURATION_S',
  drainTimeoutS: 'BENCH_DRAIN_TIMEOUT_S',
  users: 'BENCH_USERS',
  posts: 'BENCH_POSTS',
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
  options.profileDir = flag(['--profile-dir']) ?? env.BENCH_PROFILE_DIR ?? '';
  return options;
}
