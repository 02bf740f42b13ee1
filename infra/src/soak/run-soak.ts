/**
 * `npm run soak`: the whole platform under steady mixed load for ten minutes
 * (`--minutes`, `--rate` writes per second, `--reads` reads per second), with
 * the memory of every process and the error counts sampled every 30 s and
 * printed as a table; then the pipeline settles and every write answered 2xx
 * is checked in its owner and in query (the fault matrix's checks). It judges
 * itself: any failed write or read, any finding, or a leak (see `leakVerdicts`)
 * makes it exit 1 with the reasons. The figures go to
 * `infra/reliability-results/soak-<ISO date>.json` (or POSTLINE_RESULTS_DIR).
 * Not part of `npm test`: it takes ten minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { EventsClient } from '@postline/common/tools';
import { eventually, repositoryRoot } from '@postline/common/testing';
import { startPlatform } from '../local/platform';
import { ApiUser, consumedUpTo, mapConcurrently } from '../e2e/api-client';
import { PlatformState } from '../e2e/faults/platform-state';
import { SteadyLoad, type Targets } from '../e2e/steady-load';
import { rateLimitsLifted } from '../e2e/test-platform';
import { infrastructureProcesses, nginxGroup, nginxMasterOn } from '../bench/platform-processes';
import { sampleGroup } from '../bench/process-stats';
import { resultsDirFromEnv, writeReliabilityResult } from '../reliability-results';
import { describeLimit, leakVerdicts, type LeakVerdict, type MemorySample } from './leak-check';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '20' },
    reads: { type: 'string', default: '20' },
    'sample-seconds': { type: 'string', default: '30' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const readsPerSecond = Number(values.reads);
const sampleMs = Number(values['sample-seconds']) * 1000;
const HANG_MS = 35_000;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'postline-soak-'));
  // As `npm start` runs it (secure cookies, NODE_ENV=production, would need HTTPS).
  const env = {
    LOG_LEVEL: 'warn',
    ...rateLimitsLifted,
    PASSWORD_SCRYPT_COST: '1024',
  };
  const platform = await startPlatform({ freePorts: true, dataDir, env, log: () => undefined });
  const events = await EventsClient.connect({ server: platform.natsUrl, name: 'soak' });
  const mongo = await MongoClient.connect(platform.mongoUrl);
  try {
    const writers = (await ApiUser.signUpMany(platform.url, 'soak', 24)).map((u, i) =>
      Object.assign(u, { username: `soak${i}` }),
    );
    const posts = await mapConcurrently(
      Array.from({ length: 24 }, (_, i) => i),
      4,
      async (i) => {
        const post = await writers[i]!.expect<{ id: string }>(201, 'POST', '/api/posts', {
          title: `Soak ${i}`,
          body: 'b',
        });
        return post.id;
      },
    );
    const last = (await events.streams()).find((s) => s.name.endsWith('POSTS'))!.lastSeq;
    await eventually(() => consumedUpTo(events, 'comments', 'POSTS', last), 30_000, 'comments knows the posts');
    const targets: Targets = { writers, seedPosts: posts, posts: [...posts], tried: new Set() };

    const infrastructure = infrastructureProcesses(dataDir);
    const gateway = nginxGroup(nginxMasterOn(Number(new URL(platform.url).port)));
    const groups = () => ({
      ...Object.fromEntries(Object.entries(platform.pids()).map(([name, pid]) => [name, [pid]])),
      nats: infrastructure.nats,
      mongo: infrastructure.mongo,
      gateway,
    });

    // Writes through the gateway at a steady rate (likes and follows run out of new pairs after ~30 min at 20/s).
    const load = new SteadyLoad(platform.url, 'soak', targets, rate, HANG_MS);
    const reads = readLoad(platform.url, posts, readsPerSecond);
    const started = performance.now();
    load.start();
    const samples: MemorySample[] = [];
    let seenAttempts = 0;
    let lastReads = { ok: 0, failed: 0 };
    const sample = () => {
      const attempts = load.attempts.slice(seenAttempts);
      seenAttempts = load.attempts.length;
      const readNow = { ...reads.counts };
      const rssMb = Object.fromEntries(
        Object.entries(groups()).map(([name, pids]) => [name, Math.round(sampleGroup(pids)?.rssMb ?? 0)]),
      );
      samples.push({
        atS: Math.round((performance.now() - started) / 1000),
        writes: attempts.length,
        failedWrites: attempts.filter((a) => a.status < 200 || a.status >= 300).length,
        writes5xx: attempts.filter((a) => a.status >= 500).length,
        reads: readNow.ok - lastReads.ok + (readNow.failed - lastReads.failed),
        failedReads: readNow.failed - lastReads.failed,
        rssMb,
      });
      lastReads = readNow;
      process.stdout.write(`[soak] ${sampleRow(samples.at(-1)!)}\n`);
    };
    const sampler = setInterval(sample, sampleMs);
    await new Promise((r) => setTimeout(r, minutes * 60_000));
    clearInterval(sampler);
    reads.stop();
    const attempts = await load.stop();

    const state = new PlatformState(mongo, events);
    await eventually(async () => (await state.stillMoving()) === undefined, 180_000, 'the pipeline settles');
    const findings = await state.check(attempts, { hangMs: HANG_MS, injected: new Set(), poison: new Map() });

    let leaks: LeakVerdict[] = [];
    let unjudged: string | undefined;
    try {
      leaks = leakVerdicts(samples, minutes);
    } catch (err) {
      unjudged = `no leak verdict: ${(err as Error).message}`;
    }
    const ok = attempts.filter((a) => a.status >= 200 && a.status < 300).length;
    const failedWrites = attempts.length - ok;
    const reasons = [
      unjudged,
      failedWrites > 0 && `${failedWrites} writes not answered 2xx`,
      reads.counts.failed > 0 && `${reads.counts.failed} failed reads`,
      ...Object.entries(findings)
        .filter(([, list]) => list.length > 0)
        .map(([kind, list]) => `${list.length} ${kind}: ${list.slice(0, 3).join('; ')}`),
      ...leaks
        .filter((l) => l.leak)
        .map(
          (l) =>
            `${l.process} leaks: RSS ${l.firstMb} → ${l.lastMb} MB, ${l.slopeMbPerMin} MB/min over the second half (limit: ${describeLimit(l.limit)})`,
        ),
    ].filter((r): r is string => typeof r === 'string');
    const names = Object.keys(samples[0]?.rssMb ?? {});
    process.stdout.write(
      [
        '',
        `Soak: ${minutes} min, ${rate} writes/s and ${readsPerSecond} reads/s through the gateway (${new Date().toISOString()})`,
        '',
        `| time | writes | failed writes | 5xx | reads | failed reads | ${names.map((n) => `${n} MB`).join(' | ')} |`,
        `|${'---:|'.repeat(6 + names.length)}`,
        ...samples.map((s) => `| ${sampleRow(s)} |`),
        '',
        'RSS over the second half (slope by least squares), against its limit:',
        ...leaks.map(
          (l) =>
            `  ${l.process}: ${l.firstMb} → ${l.lastMb} MB, ${l.slopeMbPerMin} MB/min (limit: ${describeLimit(l.limit)})${l.leak ? '  LEAK' : ''}`,
        ),
        `writes ${attempts.length}, answered 2xx ${ok}; reads ${reads.counts.ok + reads.counts.failed}, failed ${reads.counts.failed}; ` +
          `lost ${findings.lost.length}, duplicated ${findings.duplicated.length}, inconsistent ${findings.inconsistent.length}, ` +
          `other answers ${findings.badAnswers.length}, dead letters ${findings.deadLetters.length}`,
        reasons.length === 0 ? 'Verdict: clean (no error, no leak).' : `Verdict: FAILED\n  ${reasons.join('\n  ')}`,
        '',
      ].join('\n'),
    );
    const file = await writeReliabilityResult(
      resultsDirFromEnv() ?? join(repositoryRoot(__dirname), 'infra', 'reliability-results'),
      'soak',
      {
        settings: { minutes, writesPerSecond: rate, readsPerSecond, sampleSeconds: sampleMs / 1000 },
        totals: {
          writes: attempts.length,
          writes2xx: ok,
          writes5xx: attempts.filter((a) => a.status >= 500).length,
          reads: reads.counts.ok + reads.counts.failed,
          failedReads: reads.counts.failed,
          slowestWriteMs: Math.round(Math.max(0, ...attempts.map((a) => a.ms))),
        },
        findings: Object.fromEntries(Object.entries(findings).map(([kind, list]) => [kind, list.length])),
        leaks,
        samples,
        verdict: { clean: reasons.length === 0, reasons },
      },
    );
    process.stdout.write(`figures written to ${file}\n`);
    process.exitCode = reasons.length === 0 ? 0 : 1;
  } finally {
    await events.close();
    await mongo.close();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One sample as a table row: time, error counts, then each process's RSS. */
function sampleRow(s: MemorySample): string {
  return [`${s.atS} s`, s.writes, s.failedWrites, s.writes5xx, s.reads, s.failedReads, ...Object.values(s.rssMb)].join(
    ' | ',
  );
}

/** Anonymous reads of the post list and of post pages, at a steady rate, counted. */
function readLoad(baseUrl: string, posts: string[], perSecond: number) {
  const counts = { ok: 0, failed: 0 };
  const reader = new ApiUser(baseUrl);
  let n = 0;
  const timer = setInterval(() => {
    const path = n++ % 2 === 0 ? '/api/query/posts?limit=20' : `/api/query/posts/${posts[n % posts.length]}`;
    void reader.request('GET', path, undefined, HANG_MS).then(
      (r) => (r.status === 200 ? counts.ok++ : counts.failed++),
      () => counts.failed++,
    );
  }, 1000 / perSecond);
  return { counts, stop: () => clearInterval(timer) };
}

main().catch((err: unknown) => {
  process.stderr.write(`soak: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
