import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { machineFacts, measuredSource, type MachineFacts, type MeasuredSource } from '../result-files';
import { BenchRun, log, type PhaseUsage } from './bench-run';
import { measureDatabase, type DatabaseBaseline } from './database-baseline';
import { rateLatency, type LatencyPhase, type LatencyResult } from './event-latency';
import type { BenchOptions } from './options';
import { freshness, measurePage, type Freshness, type HtmlPageResult } from './pages';
import { loadAverage, round } from './process-stats';
import { coldReads, jsonReads, listPath, pagePath, type ColdReads, type JsonReads } from './read-phases';
import { historyOf, publishHistory, runRebuild, type RebuildResult } from './rebuild-phase';
import { scalePhase, type ScaleResult } from './scale-phase';
import { postComment, seed, type Seeded } from './seed';
import { evaluateTargets, type TargetCheck } from './targets';
import { writePhases, type Writes } from './write-phases';

export type { PhaseUsage } from './bench-run';
export type { ReadResult } from './read-phases';

export interface BenchResult {
  schema: 'postline-bench/3';
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
  /** The JSON reads on the platform before the scale phase (the "empty platform"). */
  reads: JsonReads;
  /** Never-read post pages (10 comments each), each built by query on a cache miss, before the scale phase. */
  cold: ColdReads;
  html: {
    home: HtmlPageResult;
    postPage: HtmlPageResult;
    /** A change, then the anonymous page read until it shows it. */
    freshness: { postPage: Freshness; home: Freshness };
  };
  /** Comment POST → final status as its author sees it, with readers' live streams open. */
  eventLatency: {
    steady: LatencyResult;
    burst: LatencyResult;
  };
  writes: Writes;
  scale: ScaleResult;
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
  /** Per phase: CPU of each process group (% of one core, and seconds) and of the whole machine (% of one core; 200 = both cores). */
  usage: Record<string, PhaseUsage>;
  targets: TargetCheck[];
  /** Lines the services logged at warn level or above (production mode logs warnings only). */
  warnings: string[];
  seconds: number;
}

/**
 * The whole benchmark: platform up, seed; on the platform as seeded, the
 * reads, the HTML pages, the comment latency as its author sees it, the
 * rebuild, the writes and beyond capacity; then the scale phase repeats the
 * key figures with 100,000 comments stored; platform down.
 */
export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const loadBefore = loadAverage();
  const source = measuredSource();
  const run = await BenchRun.start(options);
  try {
    const p = run.platform;
    const { measured, gateway } = run;
    const query = p.services.query!;
    if (!p.services.client) throw new Error('the client is not built: run `npm run build -w @postline/client` first');

    log('seeding, and publishing the rebuild history meanwhile');
    const [seeded, published] = await Promise.all([
      seed(p.url, query, p.tokenKeys.privateKey, { users: options.users, posts: options.posts }),
      // Generated and published in one go, so the 100k events are not kept in this process's memory.
      publishHistory(p.natsUrl, historyOf(options.rebuildEvents)),
    ]);
    log(`seeded (${run.elapsedS} s into the run)`);
    await run.quiet(120, 'consumers still busy after seeding');
    const idle = run.memoryNow();

    // The bytes every ceiling answers: exactly what the platform serves for the same request.
    const bytes = async (url: string, headers: Record<string, string> = {}) =>
      Buffer.from(await (await fetch(url, { headers })).arrayBuffer());
    const page = pagePath(seeded.pagePostId);
    const html = { Accept: 'text/html' };
    const postSlugPath = `/posts/${seeded.pageSlug}`;
    const answers = {
      list: await bytes(`${query}${listPath}`),
      page: await bytes(`${query}${page}`),
      pageSignedIn: await bytes(`${query}${page}`, seeded.reader.headers),
      home: await bytes(`${gateway}/`, html),
      postHtml: await bytes(`${gateway}${postSlugPath}`, html),
    };
    const htmlType = 'text/html; charset=utf-8';
    const ceilings = await run.startCeilings([
      { url: listPath, signedIn: false, bytes: answers.list },
      { url: page, signedIn: false, bytes: answers.page },
      { url: page, signedIn: true, bytes: answers.pageSignedIn },
      { url: '/', signedIn: false, bytes: answers.home, contentType: htmlType },
      { url: postSlugPath, signedIn: false, bytes: answers.postHtml, contentType: htmlType },
    ]);

    const database = await measured('database baseline', () =>
      measureDatabase(p.mongoUrl).catch((err: unknown) => ({
        error: String((err as Error)?.message ?? err).slice(0, 600),
      })),
    );
    const reads = await jsonReads(run, options, ceilings, seeded.pagePostId, seeded.reader);
    const cold = await measured('cold post pages', () =>
      coldReads(query, seeded.commentedPostIds.slice(0, options.coldReads)),
    );
    const htmlPages = await htmlPhases(run, options, seeded, ceilings.bare);

    const latencyPhase: Omit<LatencyPhase, 'postIds'> = {
      url: gateway,
      queryOrigin: query,
      author: seeded.users[0]!,
      moderator: seeded.moderator,
      drainTimeoutS: options.drainTimeoutS,
      natsUrl: p.natsUrl,
      ackSamples: options.ackSamples,
      readers: options.readers,
      pollEveryMs: options.pollEveryMs,
    };
    const latency = { ...latencyPhase, postIds: seeded.latencyPostIds };
    const steady = await measured(`event latency ${options.steadyRate}/s`, () =>
      rateLatency(latency, options.steadyRate, options.steadyS),
    );
    await run.quiet(options.drainTimeoutS);
    const burst = await measured(`event latency ${options.burstRate}/s`, () =>
      rateLatency(latency, options.burstRate, options.burstS),
    );
    await run.quiet(options.drainTimeoutS, `consumers still busy after the ${options.burstRate}/s phase`);

    const rebuildAttempts = await rebuildPhase(run, options, published.events);
    const rebuild = rebuildAttempts.at(-1)!;
    run.underLoad['query rebuild'] = Math.max(...rebuildAttempts.map((a) => a.maxRssMb));

    // Writes come after the latency phases: the events they produce are consumed for a while afterwards.
    const writes = await writePhases(run, options, seeded);
    // The scale phase comes last: it grows the platform for good.
    const scale = await scalePhase(run, options, seeded, latencyPhase, { reads, cold, steady });

    const peak = run.peakMemory();
    if (options.cpuProfile) writeFileSync(join(options.profileDir, 'pids.json'), JSON.stringify(p.pids(), null, 2));

    const result: Omit<BenchResult, 'targets'> = {
      schema: 'postline-bench/3',
      date: new Date().toISOString(),
      mode: options.mode,
      options: { ...options, out: undefined, profileDir: undefined } as BenchResult['options'],
      machine: { ...machineFacts(), loadAverageBefore: loadBefore, loadAverageAfter: loadAverage() },
      source,
      seed: {
        ...seeded.counts,
        postListBytes: answers.list.length,
        postPageBytes: answers.page.length,
        postPageSignedInBytes: answers.pageSignedIn.length,
        postPageComments: (JSON.parse(answers.page.toString()) as { post: { comments: unknown[] } }).post.comments
          .length,
      },
      reads,
      cold,
      html: htmlPages,
      eventLatency: { steady, burst },
      writes,
      scale,
      database,
      rebuild: { ...rebuild, publishSeconds: round(published.seconds, 2), attempts: rebuildAttempts },
      memory: { idle, underLoad: run.underLoad, peak },
      usage: run.usage,
      warnings: run.warnings,
      seconds: 0,
    };
    return { ...result, targets: evaluateTargets(result), seconds: round((performance.now() - started) / 1000, 1) };
  } finally {
    await run.stop();
  }
}

/** The HTML pages (Next.js, server-rendered) through the gateway: anonymous beside their ceiling, signed in, fresh. */
async function htmlPhases(
  run: BenchRun,
  options: BenchOptions,
  seeded: Seeded,
  bare: string,
): Promise<BenchResult['html']> {
  const { gateway, measured } = run;
  const { query, auth, client } = run.platform.services as Record<string, string>;
  const page = (name: string, path: string, calls: [string, string][], personal: [string, string][]) =>
    measurePage({
      name,
      path,
      gateway,
      client: client!,
      bare,
      user: seeded.reader,
      calls,
      personal,
      connections: options.htmlConnections,
      signedInConnections: options.htmlSignedInConnections,
      durationS: options.durationS,
      warmupS: options.warmupS,
      probeS: options.probeS,
      measure: measured,
    });
  const currentUserCall: [string, string] = ['auth GET /api/users/currentuser', `${auth}/api/users/currentuser`];
  // What the browser asks for the reader's own parts once the (shared) HTML is in.
  const whoReads: [string, string] = ['GET /api/users/currentuser', `${gateway}/api/users/currentuser`];
  const home = await page(
    'home',
    '/',
    [
      ['query GET /api/query/posts?page=1&limit=10', `${query}/api/query/posts?page=1&limit=10`],
      ['query GET /api/query/tags', `${query}/api/query/tags`],
      currentUserCall,
    ],
    [whoReads],
  );
  const postPage = await page(
    'post page',
    `/posts/${seeded.pageSlug}`,
    [[`query GET /api/query/posts/<slug>`, `${query}/api/query/posts/${seeded.pageSlug}`], currentUserCall],
    [whoReads, ['GET /api/query/posts/<slug> as the reader', `${gateway}/api/query/posts/${seeded.pageSlug}`]],
  );
  const author = seeded.users[1 % seeded.users.length]!;
  const mark = () => Math.random().toString(36).slice(2, 10);
  const freshPost = await measured('html: a comment shows on the post page', () =>
    freshness({
      change: 'a comment approved on the post',
      pageUrl: `${gateway}/posts/${seeded.freshPost.slug}`,
      samples: options.freshnessSamples,
      make: async (sample) => {
        const text = `Freshness check ${sample} ${mark()}`;
        await postComment(author, gateway, seeded.freshPost.id, text);
        return text;
      },
    }),
  );
  const freshHome = await measured('html: a new post shows on the home page', () =>
    freshness({
      change: 'a post published',
      pageUrl: `${gateway}/`,
      samples: options.freshnessSamples,
      make: async (sample) => {
        const title = `Fresh post ${sample} ${mark()}`;
        await author.expect(201, gateway, 'POST', '/api/posts', {
          title,
          body: 'Does the home page show me?',
          tags: ['fresh'],
        });
        return title;
      },
    }),
  );
  return { home, postPage, freshness: { postPage: freshPost, home: freshHome } };
}

/** The query rebuild by replay, with the platform quiet, into its own database on the same local MongoDB. */
async function rebuildPhase(run: BenchRun, options: BenchOptions, events: number): Promise<RebuildResult[]> {
  const attempt = (concurrency?: number) =>
    runRebuild({
      natsUrl: run.platform.natsUrl,
      mongoUrl: run.platform.mongoUrl,
      publicKey: run.platform.tokenKeys.publicKey,
      events,
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
  const attempts = [await run.measured('rebuild', () => attempt())];
  const first = attempts[0]!;
  if (!first.finished && !/within/.test(first.error ?? '') && options.rebuildFallbackConcurrency > 0) {
    log(`rebuild failed (${first.error}); again with concurrency ${options.rebuildFallbackConcurrency}`);
    attempts.push(await run.measured('rebuild (fallback)', () => attempt(options.rebuildFallbackConcurrency)));
  }
  return attempts;
}
