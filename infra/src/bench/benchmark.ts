import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventsClient } from '@postline/common/events-client';
import { freePort, repositoryRoot } from '@postline/common/testing';
import { pino } from 'pino';
import { loadRouteTable } from '../route-table';
import { startGateway } from '../local/gateway';
import { startPlatform, type Platform } from '../local/platform';
import { waitFor } from './bench-user';
import { saturationLatency, steadyLatency, type LatencyResult } from './event-latency';
import { runLoad, type LoadResult, type LoadSpec } from './load';
import type { BenchOptions } from './options';
import { loadAverage, processesMentioning, ProcessWatch, round, sampleProcess } from './process-stats';
import { historyOf, publishHistory, runRebuild, type RebuildResult } from './rebuild';
import { measureFerretDb, type FerretDbBaseline } from './ferretdb-baseline';
import { evaluateTargets, type TargetCheck } from './targets';
import { seed } from './seed';

export type ReadResult = LoadResult & { ratioOfCeiling: number };

export interface PhaseUsage {
  seconds: number;
  processes: Record<string, { maxRssMb: number; cpuPercent: number }>;
  machineCpuPercent: number;
}

export interface BenchResult {
  schema: 'postline-bench/1';
  date: string;
  mode: BenchOptions['mode'];
  options: Omit<BenchOptions, 'out' | 'profileDir'>;
  machine: {
    nproc: number;
    cpuModel: string;
    memoryMb: number;
    node: string;
    kernel: string;
    /** 1/5/15-minute load averages before and after the run: other engineers share this machine. */
    loadAverageBefore: [number, number, number];
    loadAverageAfter: [number, number, number];
  };
  seed: {
    users: number;
    posts: number;
    comments: number;
    rejectedComments: number;
    postListBytes: number;
    postPageBytes: number;
    postPageComments: number;
  };
  reads: {
    /** The bare Node http server returning the bytes of GET /api/query/posts, hit directly: the ceiling. */
    ceilingDirect: LoadResult;
    /** The same bare server behind a gateway instance: what the gateway itself costs. */
    ceilingViaGateway: ReadResult;
    /** GET /api/query/posts?page=1&limit=20 through the gateway. */
    postList: ReadResult;
    /** The same straight to the query service (no gateway). */
    postListDirect: ReadResult;
    /** GET /api/query/posts/:id of a post with 50 comments, through the gateway. */
    postPage: ReadResult;
  };
  writes: {
    createPost: LoadResult;
    createComment: LoadResult;
    /** How long the events the write phases produced took to be consumed everywhere afterwards (-1: longer than the drain timeout). */
    backlogDrainSeconds: number;
  };
  eventLatency: {
    steady: LatencyResult & { targetRate: number };
    saturation: LatencyResult & { writers: number };
  };
  /** The rebuild that counts (the last attempt); `attempts` has every one. */
  /** The database alone: driver operations against the same FerretDB (or the error it gave). */
  ferretdb: FerretDbBaseline | { error: string };
  rebuild: RebuildResult & { publishSeconds: number; attempts: RebuildResult[] };
  memory: {
    /** RSS (MB) of each process after seeding, with nothing running. */
    idle: Record<string, number>;
    /** Largest RSS (MB) of each process sampled during the load phases. */
    underLoad: Record<string, number>;
    /** VmHWM (MB): the largest RSS each process ever had, at the end of the run. */
    peak: Record<string, number>;
  };
  /** Per phase: CPU of each process (% of one core) and of the whole machine (% of one core; 200 = both cores). */
  usage: Record<string, PhaseUsage>;
  targets: TargetCheck[];
  /** Lines the services logged at warn level or above (production mode logs warnings only). */
  warnings: string[];
  seconds: number;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** The whole benchmark: platform up, seed, every measurement, platform down. */
export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const loadBefore = loadAverage();
  const dataDir = mkdtempSync(join(tmpdir(), 'postline-bench-'));
  const warnings: string[] = [];
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    MODERATOR_EMAILS: 'benchmod@example.test',
    // The seed and the write phases sign up and write from one address: not what the limit is for.
    AUTH_RATE_LIMIT_MAX: '1000000',
  };
  const nodeArgs: string[] = [];
  if (options.cpuProfile) {
    mkdirSync(options.profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${resolve(options.profileDir)}`);
  }
  let platform: Platform | undefined;
  let bare: ChildProcess | undefined;
  let bareGateway: { close(): Promise<void> } | undefined;
  try {
    log(`starting the platform (production mode) in ${dataDir}`);
    platform = await startPlatform({
      freePorts: true,
      dataDir,
      env,
      nodeArgs,
      log: (part, line) => {
        if (warnings.length < 200 && !line.includes('"level":30')) warnings.push(`[${part}] ${line.slice(0, 500)}`);
      },
    });
    const p = platform;
    const servers = Object.fromEntries(
      processesMentioning(dataDir)
        .map(
          ({ pid, command }) =>
            [/nats-server/.test(command) ? 'nats' : /ferretdb/i.test(command) ? 'ferretdb' : '', pid] as const,
        )
        .filter(([name]) => name),
    );
    const pids = () => ({ ...p.pids(), ...servers, 'bench (gateway)': process.pid });
    log(`platform up at ${p.url}; processes ${JSON.stringify(pids())}`);
    const query = p.services.query!;

    log('seeding, and publishing the rebuild history meanwhile');
    const [seeded, published] = await Promise.all([
      seed(p.url, query, p.jwtKey, { users: options.users, posts: options.posts }),
      // Generated and published in one go, so the 100k events are not kept in this process's memory.
      publishHistory(p.natsUrl, historyOf(options.rebuildEvents)),
    ]);
    log(`seeded (${round((performance.now() - started) / 1000)} s into the run)`);
    if (!(await waitForQuietConsumers(p.natsUrl, 120))) warnings.push('[bench] consumers still busy after seeding');
    const idle = memoryNow(pids());

    // The bytes every read compares against: the post list exactly as query serves it.
    const listPath = '/api/query/posts?page=1&limit=20';
    const listBytes = Buffer.from(await (await fetch(`${query}${listPath}`)).arrayBuffer());
    const pageBody = await (await fetch(`${query}/api/query/posts/${seeded.pagePostId}`)).text();
    const pageComments = (JSON.parse(pageBody) as { post: { comments: unknown[] } }).post.comments.length;
    const bytesFile = join(dataDir, 'post-list.json');
    writeFileSync(bytesFile, listBytes);
    const barePort = await freePort();
    bare = await startBareServer(bytesFile, barePort);
    const bareOrigin = `http://127.0.0.1:${barePort}`;
    const gatewayToBare = await startGateway({
      port: 0,
      routes: loadRouteTable(),
      upstreams: { ...p.services, query: bareOrigin },
      logger: pino({ level: 'warn' }),
    });
    bareGateway = gatewayToBare;

    const usage: Record<string, PhaseUsage> = {};
    const underLoad: Record<string, number> = {};
    const measured = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      log(`${name}… (${round((performance.now() - started) / 1000)} s into the run)`);
      const phaseStarted = performance.now();
      const watch = new ProcessWatch(pids);
      const result = await run();
      usage[name] = { seconds: round((performance.now() - phaseStarted) / 1000, 1), ...watch.stop() };
      for (const [proc, { maxRssMb }] of Object.entries(usage[name].processes)) {
        underLoad[proc] = Math.max(underLoad[proc] ?? 0, maxRssMb);
      }
      return result;
    };
    const read = (url: string): LoadSpec => ({
      url,
      connections: options.connections,
      durationS: options.durationS,
      warmupS: options.warmupS,
    });

    const ferretdb = await measured('ferretdb baseline', () =>
      measureFerretDb(p.mongoUrl).catch((err: unknown) => ({
        error: String((err as Error)?.message ?? err).slice(0, 600),
      })),
    );

    const ceilingDirect = await measured('ceiling direct', () => runLoad(read(`${bareOrigin}/api/query/posts`)));
    const ratio = (r: LoadResult): ReadResult => ({
      ...r,
      ratioOfCeiling: round(r.requestsPerSecond / Math.max(ceilingDirect.requestsPerSecond, 0.001), 3),
    });
    const gatewayUrl = `http://127.0.0.1:${gatewayToBare.port}`;
    const ceilingViaGateway = ratio(
      await measured('ceiling via gateway', () => runLoad(read(`${gatewayUrl}/api/query/posts`))),
    );
    const gateway = p.url.replace('localhost', '127.0.0.1');
    const postList = ratio(await measured('post list', () => runLoad(read(`${gateway}${listPath}`))));
    const postListDirect = ratio(await measured('post list direct', () => runLoad(read(`${query}${listPath}`))));
    const postPage = ratio(
      await measured('post page', () => runLoad(read(`${gateway}/api/query/posts/${seeded.pagePostId}`))),
    );

    const latencyPhase = {
      url: gateway,
      queryOrigin: query,
      author: seeded.users[0]!,
      postIds: seeded.latencyPostIds,
      drainTimeoutS: options.drainTimeoutS,
      natsUrl: p.natsUrl,
    };
    const steady = await measured('event latency steady', () =>
      steadyLatency(latencyPhase, options.steadyRate, options.steadyS),
    );
    await waitForQuietConsumers(p.natsUrl, 60);

    // The rebuild runs with the platform quiet. With the service's default concurrency FerretDB may
    // refuse concurrent writes (SQLITE_BUSY): then it is measured again with a lower concurrency.
    const rebuildRun = (concurrency?: number) =>
      runRebuild({
        natsUrl: p.natsUrl,
        mongoUrl: p.mongoUrl,
        jwtKey: p.jwtKey,
        events: published.events,
        timeoutS: options.rebuildTimeoutS,
        concurrency,
        nodeArgs: options.cpuProfile
          ? [
              '--cpu-prof',
              `--cpu-prof-dir=${options.profileDir}`,
              `--cpu-prof-name=rebuild-${concurrency ?? 'default'}.cpuprofile`,
            ]
          : [],
      });
    const rebuildAttempts = [await measured('rebuild', () => rebuildRun())];
    if (
      !rebuildAttempts[0]!.finished &&
      !/within/.test(rebuildAttempts[0]!.error ?? '') &&
      options.rebuildFallbackConcurrency > 0
    ) {
      log(
        `rebuild failed (${rebuildAttempts[0]!.error}); again with concurrency ${options.rebuildFallbackConcurrency}`,
      );
      rebuildAttempts.push(await measured('rebuild (fallback)', () => rebuildRun(options.rebuildFallbackConcurrency)));
    }
    const rebuild = rebuildAttempts.at(-1)!;
    underLoad['query rebuild'] = Math.max(...rebuildAttempts.map((a) => a.maxRssMb));

    const saturation = await measured('event latency saturation', () =>
      saturationLatency(latencyPhase, options.saturationWriters, options.saturationS),
    );
    if (!(await waitForQuietConsumers(p.natsUrl, options.drainTimeoutS)))
      warnings.push('[bench] consumers still busy after the saturation phase');

    const writers = seeded.users;
    const json = { 'Content-Type': 'application/json' };
    const createPost = await measured('create post', () =>
      runLoad({
        url: gateway,
        connections: options.connections,
        durationS: options.durationS,
        warmupS: 0,
        idReplacement: true,
        requests: writers.map((user, i) => ({
          method: 'POST' as const,
          path: '/api/posts',
          headers: { ...json, ...user.headers },
          body: JSON.stringify({
            title: `Load post [<id>]`,
            body: `Written under load ${i}. [<id>]`,
            tags: ['load', `t${i % 4}`],
          }),
        })),
      }),
    );
    const commentTargets = seeded.postIds.slice(-40);
    const createComment = await measured('create comment', () =>
      runLoad({
        url: gateway,
        connections: options.connections,
        durationS: options.durationS,
        warmupS: 0,
        idReplacement: true,
        requests: Array.from({ length: 40 }, (_, i) => ({
          method: 'POST' as const,
          path: '/api/comments',
          headers: { ...json, ...writers[i % writers.length]!.headers },
          body: JSON.stringify({
            postId: commentTargets[i % commentTargets.length]!,
            body: i % 5 === 4 ? 'Load comment [<id>] about an orange' : 'Load comment [<id>], kind words',
          }),
        })),
      }),
    );
    // Writes come last: the events they produced are still being consumed for a while.
    const drainStarted = performance.now();
    const drained = await measured('write backlog drain', () =>
      waitForQuietConsumers(p.natsUrl, options.drainTimeoutS),
    );
    const backlogDrainSeconds = drained ? round((performance.now() - drainStarted) / 1000, 1) : -1;

    const peak = Object.fromEntries(
      Object.entries(pids()).map(([name, pid]) => [name, round(sampleProcess(pid)?.peakRssMb ?? NaN, 1)]),
    );
    if (options.cpuProfile) writeFileSync(join(options.profileDir, 'pids.json'), JSON.stringify(pids(), null, 2));

    const result: Omit<BenchResult, 'targets'> = {
      schema: 'postline-bench/1',
      date: new Date().toISOString(),
      mode: options.mode,
      options: { ...options, out: undefined, profileDir: undefined } as BenchResult['options'],
      machine: {
        nproc: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryMb: Math.round(totalmem() / 1024 / 1024),
        node: process.version,
        kernel: release(),
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadAverage(),
      },
      seed: {
        ...seeded.counts,
        postListBytes: listBytes.length,
        postPageBytes: Buffer.byteLength(pageBody),
        postPageComments: pageComments,
      },
      reads: { ceilingDirect, ceilingViaGateway, postList, postListDirect, postPage },
      writes: { createPost, createComment, backlogDrainSeconds },
      eventLatency: {
        steady: { ...steady, targetRate: options.steadyRate },
        saturation: { ...saturation, writers: options.saturationWriters },
      },
      ferretdb,
      rebuild: { ...rebuild, publishSeconds: round(published.seconds, 2), attempts: rebuildAttempts },
      memory: { idle, underLoad, peak },
      usage,
      warnings,
      seconds: 0,
    };
    return { ...result, targets: evaluateTargets(result), seconds: round((performance.now() - started) / 1000, 1) };
  } finally {
    await bareGateway?.close().catch(() => undefined);
    bare?.kill('SIGTERM');
    await platform?.stop().catch((err: unknown) => log(`stopping the platform: ${String(err)}`));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function memoryNow(pids: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, round(sampleProcess(pid)?.rssMb ?? NaN, 1)]),
  );
}

/**
 * Waits until every durable consumer has delivered and acknowledged
 * everything (the platform is idle again); false if it did not within the
 * timeout (noted in the warnings, the run goes on).
 */
async function waitForQuietConsumers(natsUrl: string, timeoutS: number): Promise<boolean> {
  const events = await EventsClient.connect({ server: natsUrl });
  try {
    await waitFor('the event consumers to catch up', timeoutS * 1000, async () => {
      const consumers = await events.consumers();
      return consumers.every((c) => c.lag === 0 && c.unacknowledged === 0);
    });
    return true;
  } catch (err) {
    log(String(err));
    return false;
  } finally {
    await events.close();
  }
}

function startBareServer(bytesFile: string, port: number): Promise<ChildProcess> {
  const script = join(repositoryRoot(__dirname), 'infra', 'dist', 'bench', 'bare-server.js');
  readFileSync(script); // a clear error if the benchmark is not built
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, bytesFile, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bare server exited (code ${code})`)));
    child.stdout!.once('data', () => resolve(child));
  });
}
