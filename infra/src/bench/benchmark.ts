import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventsClient } from '@postline/common/tools';
import { freePort, repositoryRoot } from '@postline/common/testing';
import { pino } from 'pino';
import { loadRouteTable } from '../route-table';
import { machineFacts, measuredSource, type MachineFacts, type MeasuredSource } from '../result-files';
import { startGateway, type Gateway } from '../local/gateway';
import { startPlatform, type Platform } from '../local/platform';
import type { BareAnswer } from './bare-server';
import { waitFor } from './bench-user';
import { measureDatabase, type DatabaseBaseline } from './database-baseline';
import { catchUp, CommentPipelineWatcher, rateLatency, type CatchUp, type LatencyResult } from './event-latency';
import { runLoad, runningLoadWorkers, type LoadResult, type LoadSpec } from './load';
import type { BenchOptions } from './options';
import { measurePage, type HtmlPageResult } from './pages';
import { infrastructureProcesses, nginxGroup, nginxMasterOn } from './platform-processes';
import { loadAverage, ProcessWatch, round, sampleGroup, type ProcessGroups } from './process-stats';
import { historyOf, publishHistory, runningRebuildCommands, runRebuild, type RebuildResult } from './rebuild-phase';
import { evaluateTargets, type TargetCheck } from './targets';
import { seed, seedScale, type ScaleSeed } from './seed';

/** A read, with the bare-Node ceiling for the same bytes measured in the same run and their ratio. */
export type ReadResult = LoadResult & { ceilingRequestsPerSecond: number; ratioOfCeiling: number };

export interface PhaseUsage {
  seconds: number;
  processes: Record<string, { maxRssMb: number; cpuPercent: number }>;
  machineCpuPercent: number;
}

export interface BenchResult {
  schema: 'postline-bench/2';
  date: string;
  mode: BenchOptions['mode'];
  options: Omit<BenchOptions, 'out' | 'profileDir'>;
  machine: MachineFacts & {
    /** 1/5/15-minute load averages before and after the run: other engineers share this machine. */
    loadAverageBefore: [number, number, number];
    loadAverageAfter: [number, number, number];
  };
  source: MeasuredSource;
  seed: {
    users: number;
    posts: number;
    comments: number;
    rejectedComments: number;
    postListBytes: number;
    postPageBytes: number;
    postPageSignedInBytes: number;
    postPageComments: number;
  };
  reads: {
    /** The bare Node server answering the bytes of GET /api/query/posts?limit=20, hit directly: the ceiling. */
    ceilingList: LoadResult;
    /** The same bare server behind a second nginx gateway: what the gateway itself costs. */
    ceilingListViaGateway: ReadResult;
    /** GET /api/query/posts?limit=20 through the gateway, anonymous. */
    postList: ReadResult;
    /** The same straight to the query service (no gateway). */
    postListDirect: ReadResult;
    /** The bare server answering the bytes of the post page (10 comments), anonymous and signed in. */
    ceilingPage: LoadResult;
    ceilingPageSignedIn: LoadResult;
    /** GET /api/query/posts/:id of the post with 10 comments through the gateway, anonymous and with a Bearer token. */
    postPage: ReadResult;
    postPageSignedIn: ReadResult;
  };
  scale: {
    seeding: ScaleSeed;
    /** GET /api/query/posts?limit=20 through the gateway with the scale posts in the read model. */
    postList: ReadResult;
    /** Its req/s over the 20-post figure's (`reads.postList`). */
    ratioTo20Posts: number;
    postListBytes: number;
  };
  html: {
    home: HtmlPageResult;
    postPage: HtmlPageResult;
  };
  writes: {
    createComment: LoadResult;
    /** Every comment of the write phase final in query within `catchUpS` after the load stopped? */
    catchUp: CatchUp;
    createPost: LoadResult;
    /** How long the events the write phases produced took to be consumed everywhere afterwards (-1: longer than the drain timeout). */
    backlogDrainSeconds: number;
  };
  eventLatency: {
    steady: LatencyResult;
    burst: LatencyResult;
  };
  /** The database alone: driver operations against the same local MongoDB (or the error it gave). */
  database: DatabaseBaseline | { error: string };
  /** The rebuild that counts (the last attempt); `attempts` has every one. */
  rebuild: RebuildResult & { publishSeconds: number; attempts: RebuildResult[] };
  memory: {
    /** RSS (MB) of each process (group) after seeding, with nothing running. */
    idle: Record<string, number>;
    /** Largest RSS (MB) of each process (group) sampled during the load phases. */
    underLoad: Record<string, number>;
    /** VmHWM (MB): the largest RSS each process ever had (summed over a group), at the end of the run. */
    peak: Record<string, number>;
  };
  /** Per phase: CPU of each process group (% of one core) and of the whole machine (% of one core; 200 = both cores). */
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
  const source = measuredSource();
  const dataDir = mkdtempSync(join(tmpdir(), 'postline-bench-'));
  const warnings: string[] = [];
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    MODERATOR_EMAILS: 'benchmod@example.test',
    // The seed and the write phases sign up and write from one address, hundreds of comments a
    // second from a few users: not what the limits are for.
    AUTH_RATE_LIMIT_MAX: '1000000',
    WRITE_RATE_LIMIT_MAX: '1000000',
  };
  const nodeArgs: string[] = [];
  if (options.cpuProfile) {
    mkdirSync(options.profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${resolve(options.profileDir)}`);
  }
  let platform: Platform | undefined;
  let bare: ChildProcess | undefined;
  let bareGateway: Gateway | undefined;
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
    const gatewayPort = Number(new URL(p.url).port);
    const infrastructure = infrastructureProcesses(dataDir);
    const gatewayMaster = nginxMasterOn(gatewayPort);
    let fixedGroups: ProcessGroups = {};
    const refreshGroups = () => {
      fixedGroups = {
        ...Object.fromEntries(Object.entries(p.pids()).map(([name, pid]) => [name, [pid]])),
        nats: infrastructure.nats,
        mongo: infrastructure.mongo,
        gateway: nginxGroup(gatewayMaster),
        bench: [process.pid],
        ...(bare?.pid ? { 'bare server': [bare.pid] } : {}),
        ...(bareGateway ? { 'bare gateway': nginxGroup(bareGateway.pid) } : {}),
      };
    };
    refreshGroups();
    // The load generator (autocannon in its own process) and the rebuild command come and go with their phases.
    const groups = (): ProcessGroups => ({
      ...fixedGroups,
      'query rebuild': runningRebuildCommands(),
      load: runningLoadWorkers(),
    });
    log(`platform up at ${p.url}; processes ${JSON.stringify(fixedGroups)}`);
    if (!infrastructure.mongo.length || gatewayMaster === undefined) {
      warnings.push('[bench] the local MongoDB or the gateway process was not found: its figures are missing');
    }
    const query = p.services.query!;
    const client = p.services.client;
    if (!client) throw new Error('the client is not built: run `npm run build -w @postline/client` first');

    log('seeding, and publishing the rebuild history meanwhile');
    const [seeded, published] = await Promise.all([
      seed(p.url, query, p.jwtKey, { users: options.users, posts: options.posts }),
      // Generated and published in one go, so the 100k events are not kept in this process's memory.
      publishHistory(p.natsUrl, historyOf(options.rebuildEvents)),
    ]);
    log(`seeded (${round((performance.now() - started) / 1000)} s into the run)`);
    if (!(await waitForQuietConsumers(p.natsUrl, 120))) warnings.push('[bench] consumers still busy after seeding');
    const idle = memoryNow(groups());

    // The bytes every read compares against: exactly what query serves for the same request.
    const listPath = '/api/query/posts?limit=20';
    const pagePath = `/api/query/posts/${seeded.pagePostId}`;
    const reader = seeded.reader;
    const bodyOf = async (path: string, headers: Record<string, string> = {}) =>
      Buffer.from(await (await fetch(`${query}${path}`, { headers })).arrayBuffer());
    const listBytes = await bodyOf(listPath);
    const pageBytes = await bodyOf(pagePath);
    const pageSignedBytes = await bodyOf(pagePath, reader.headers);
    const pageComments = (JSON.parse(pageBytes.toString()) as { post: { comments: unknown[] } }).post.comments.length;
    const answers: BareAnswer[] = [
      { url: listPath, signedIn: false, file: join(dataDir, 'post-list.json') },
      { url: pagePath, signedIn: false, file: join(dataDir, 'post-page.json') },
      { url: pagePath, signedIn: true, file: join(dataDir, 'post-page-signed-in.json') },
    ];
    [listBytes, pageBytes, pageSignedBytes].forEach((bytes, i) => writeFileSync(answers[i]!.file, bytes));
    const answersFile = join(dataDir, 'bare-answers.json');
    writeFileSync(answersFile, JSON.stringify(answers));
    const barePort = await freePort();
    bare = await startBareServer(answersFile, barePort);
    const bareOrigin = `http://127.0.0.1:${barePort}`;
    bareGateway = await startGateway({
      port: 0,
      routes: loadRouteTable(),
      upstreams: { ...p.services, query: bareOrigin },
      logger: pino({ level: 'warn' }),
    });
    refreshGroups();

    const usage: Record<string, PhaseUsage> = {};
    const underLoad: Record<string, number> = {};
    const measured = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      log(`${name}… (${round((performance.now() - started) / 1000)} s into the run)`);
      const phaseStarted = performance.now();
      const watch = new ProcessWatch(groups);
      const result = await run();
      const seconds = (performance.now() - phaseStarted) / 1000;
      const figures = watch.stop();
      // A phase over in a blink (a drain with nothing left) says nothing about CPU.
      if (seconds >= 0.3) usage[name] = { seconds: round(seconds, 1), ...figures };
      for (const [proc, { maxRssMb }] of Object.entries(figures.processes)) {
        if (proc !== 'load' && Number.isFinite(maxRssMb)) underLoad[proc] = Math.max(underLoad[proc] ?? 0, maxRssMb);
      }
      return result;
    };
    const read = (url: string, headers?: Record<string, string>): LoadSpec => ({
      url,
      headers,
      connections: options.connections,
      durationS: options.durationS,
      warmupS: options.warmupS,
    });
    const against = (r: LoadResult, ceiling: LoadResult): ReadResult => ({
      ...r,
      ceilingRequestsPerSecond: ceiling.requestsPerSecond,
      ratioOfCeiling: round(r.requestsPerSecond / Math.max(ceiling.requestsPerSecond, 0.001), 3),
    });

    const database = await measured('database baseline', () =>
      measureDatabase(p.mongoUrl).catch((err: unknown) => ({
        error: String((err as Error)?.message ?? err).slice(0, 600),
      })),
    );

    const gateway = p.url.replace('localhost', '127.0.0.1');
    const bareViaGateway = `http://127.0.0.1:${bareGateway.port}`;
    const ceilingList = await measured('ceiling: list', () => runLoad(read(`${bareOrigin}${listPath}`)));
    const ceilingListViaGateway = against(
      await measured('ceiling: list via gateway', () => runLoad(read(`${bareViaGateway}${listPath}`))),
      ceilingList,
    );
    const postList = against(await measured('post list', () => runLoad(read(`${gateway}${listPath}`))), ceilingList);
    const postListDirect = against(
      await measured('post list straight to query', () => runLoad(read(`${query}${listPath}`))),
      ceilingList,
    );
    const ceilingPage = await measured('ceiling: post page', () => runLoad(read(`${bareOrigin}${pagePath}`)));
    const postPage = against(await measured('post page', () => runLoad(read(`${gateway}${pagePath}`))), ceilingPage);
    const ceilingPageSignedIn = await measured('ceiling: post page signed in', () =>
      runLoad(read(`${bareOrigin}${pagePath}`, reader.headers)),
    );
    const postPageSignedIn = against(
      await measured('post page signed in', () => runLoad(read(`${gateway}${pagePath}`, reader.headers))),
      ceilingPageSignedIn,
    );

    // HTML pages (Next.js, server-rendered), anonymous, and where their time goes.
    const page = (name: string, path: string, calls: [string, string][]) =>
      measurePage({
        name,
        path,
        gateway,
        client,
        calls,
        connections: options.htmlConnections,
        durationS: options.durationS,
        warmupS: options.warmupS,
        probeS: options.probeS,
        measure: measured,
      });
    const auth = p.services.auth!;
    const currentUserCall: [string, string] = ['auth GET /api/users/currentuser', `${auth}/api/users/currentuser`];
    const home = await page('home', '/', [
      ['query GET /api/query/posts?page=1&limit=10', `${query}/api/query/posts?page=1&limit=10`],
      ['query GET /api/query/tags', `${query}/api/query/tags`],
      currentUserCall,
    ]);
    const htmlPost = await page('post page', `/posts/${seeded.pageSlug}`, [
      [`query GET /api/query/posts/<slug>`, `${query}/api/query/posts/${seeded.pageSlug}`],
      currentUserCall,
    ]);

    // Scale: thousands of posts more in the read model, then the same list read again.
    const seeding = await measured('scale: seeding', () =>
      seedScale(p.natsUrl, query, seeded.users, options.scalePosts, options.scaleTimeoutS),
    );
    if (!(await waitForQuietConsumers(p.natsUrl, options.scaleTimeoutS)))
      warnings.push('[bench] consumers still busy after the scale seeding');
    const scaleListBytes = (await bodyOf(listPath)).length;
    const scaleList = against(
      await measured('scale: post list', () => runLoad(read(`${gateway}${listPath}`))),
      ceilingList,
    );

    const latencyPhase = {
      url: gateway,
      queryOrigin: query,
      author: seeded.users[0]!,
      moderator: seeded.moderator,
      postIds: seeded.latencyPostIds,
      drainTimeoutS: options.drainTimeoutS,
      natsUrl: p.natsUrl,
      ackSamples: options.ackSamples,
    };
    const steady = await measured(`event latency ${options.steadyRate}/s`, () =>
      rateLatency(latencyPhase, options.steadyRate, options.steadyS),
    );
    await waitForQuietConsumers(p.natsUrl, options.drainTimeoutS);
    const burst = await measured(`event latency ${options.burstRate}/s`, () =>
      rateLatency(latencyPhase, options.burstRate, options.burstS),
    );
    if (!(await waitForQuietConsumers(p.natsUrl, options.drainTimeoutS)))
      warnings.push(`[bench] consumers still busy after the ${options.burstRate}/s phase`);

    // The rebuild runs with the platform quiet, into its own database on the same local MongoDB.
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

    // Writes come last: the events they produce are consumed for a while afterwards.
    const writers = seeded.users;
    const json = { 'Content-Type': 'application/json' };
    const commentTargets = seeded.postIds.slice(-40);
    const watcher = await CommentPipelineWatcher.start(p.natsUrl, { samples: options.ackSamples });
    const createComment = await measured('create comment', () =>
      runLoad({
        url: gateway,
        connections: options.writeConnections,
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
    const caughtUp = await measured('create comment: catch-up', () =>
      catchUp({
        watcher,
        postIds: commentTargets,
        answered: createComment.ok,
        stoppedAt: createComment.endedAtMs,
        withinS: options.catchUpS,
        timeoutS: options.drainTimeoutS,
        queryOrigin: query,
        moderator: seeded.moderator,
      }),
    );
    await waitForQuietConsumers(p.natsUrl, options.drainTimeoutS);
    const createPost = await measured('create post', () =>
      runLoad({
        url: gateway,
        connections: options.writeConnections,
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
    const drainStarted = performance.now();
    const drained = await measured('write backlog drain', () =>
      waitForQuietConsumers(p.natsUrl, options.drainTimeoutS),
    );
    const backlogDrainSeconds = drained ? round((performance.now() - drainStarted) / 1000, 1) : -1;

    const peak = Object.fromEntries(
      Object.entries(fixedGroups).map(([name, pids]) => [name, round(sampleGroup(pids)?.peakRssMb ?? NaN, 1)]),
    );
    if (options.cpuProfile) writeFileSync(join(options.profileDir, 'pids.json'), JSON.stringify(p.pids(), null, 2));

    const result: Omit<BenchResult, 'targets'> = {
      schema: 'postline-bench/2',
      date: new Date().toISOString(),
      mode: options.mode,
      options: { ...options, out: undefined, profileDir: undefined } as BenchResult['options'],
      machine: {
        ...machineFacts(),
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadAverage(),
      },
      source,
      seed: {
        ...seeded.counts,
        postListBytes: listBytes.length,
        postPageBytes: pageBytes.length,
        postPageSignedInBytes: pageSignedBytes.length,
        postPageComments: pageComments,
      },
      reads: {
        ceilingList,
        ceilingListViaGateway,
        postList,
        postListDirect,
        ceilingPage,
        ceilingPageSignedIn,
        postPage,
        postPageSignedIn,
      },
      scale: {
        seeding,
        postList: scaleList,
        ratioTo20Posts: round(scaleList.requestsPerSecond / Math.max(postList.requestsPerSecond, 0.001), 3),
        postListBytes: scaleListBytes,
      },
      html: { home, postPage: htmlPost },
      writes: { createComment, catchUp: caughtUp, createPost, backlogDrainSeconds },
      eventLatency: { steady, burst },
      database,
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

function memoryNow(groups: ProcessGroups): Record<string, number> {
  return Object.fromEntries(
    Object.entries(groups)
      .filter(([, pids]) => pids.length > 0)
      .map(([name, pids]) => [name, round(sampleGroup(pids)?.rssMb ?? NaN, 1)]),
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

function startBareServer(answersFile: string, port: number): Promise<ChildProcess> {
  const script = join(repositoryRoot(__dirname), 'infra', 'dist', 'bench', 'bare-server.js');
  readFileSync(script); // a clear error if the benchmark is not built
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, answersFile, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bare server exited (code ${code})`)));
    child.stdout!.once('data', () => resolve(child));
  });
}
