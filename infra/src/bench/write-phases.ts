import type { BenchRun } from './bench-run';
import { catchUp, CommentPipelineWatcher, type CatchUp } from './event-latency';
import { runLoad, type LoadResult, type LoadSpec } from './load';
import type { BenchOptions } from './options';
import { overload, type OverloadResult } from './overload';
import { round } from './process-stats';
import { commentRequests, type Seeded } from './seed';

/** The processes a comment costs CPU in: everything but the benchmark's own (load, watchers, ceilings, rebuild). */
const notThePlatform = new Set(['bench', 'load', 'bare server', 'bare gateway', 'query rebuild']);

export interface CpuPerComment {
  /** CPU ms of every platform process together per comment created (write phase + its catch-up). */
  ms: number;
  /** The same per process (group). */
  byProcess: Record<string, number>;
  comments: number;
  /** CPU seconds of the platform over those phases. */
  cpuS: number;
}

export interface Writes {
  createComment: LoadResult;
  /** Every comment of the write phase final in query within `catchUpS` after the load stopped? */
  catchUp: CatchUp;
  cpuPerComment: CpuPerComment;
  /** Beyond capacity: twice (`overloadFactor`) the comment rate the write phase sustained, open model. */
  overload: OverloadResult;
  createPost: LoadResult;
  /** How long the events the write phases produced took to be consumed everywhere afterwards (-1: longer than the drain timeout). */
  backlogDrainSeconds: number;
}

/** The comment write phase and its catch-up, with CPU per comment over both (also run alone by `write-cpu.ts`). */
export async function commentWrites(
  run: BenchRun,
  options: BenchOptions,
  seeded: Seeded,
  phase = 'create comment',
): Promise<Pick<Writes, 'createComment' | 'catchUp' | 'cpuPerComment'>> {
  const { measured, gateway } = run;
  const commentTargets = seeded.postIds.slice(-40);
  const watcher = await CommentPipelineWatcher.start(run.platform.natsUrl, { samples: options.ackSamples });
  const createComment = await measured(phase, () =>
    writeLoad(
      gateway,
      options,
      commentRequests(seeded.users, 40, (i) => commentTargets[i % commentTargets.length]!),
    ),
  );
  const caughtUp = await measured(`${phase}: catch-up`, () =>
    catchUp({
      watcher,
      postIds: commentTargets,
      answered: createComment.ok,
      stoppedAt: createComment.endedAtMs,
      withinS: options.catchUpS,
      timeoutS: options.drainTimeoutS,
      queryOrigin: run.platform.services.query!,
      moderator: seeded.moderator,
    }),
  );
  const cpuPerComment = cpuPer(run, [phase, `${phase}: catch-up`], caughtUp.created);
  return { createComment, catchUp: caughtUp, cpuPerComment };
}

const writeLoad = (gateway: string, options: BenchOptions, requests: NonNullable<LoadSpec['requests']>) =>
  runLoad({
    url: gateway,
    connections: options.writeConnections,
    durationS: options.durationS,
    warmupS: 0,
    idReplacement: true,
    requests,
  });

/**
 * The writes: `POST /api/comments` at `writeConnections` connections and the
 * catch-up check, with CPU per comment over both; then the same offered
 * beyond capacity; then `POST /api/posts`.
 */
export async function writePhases(run: BenchRun, options: BenchOptions, seeded: Seeded): Promise<Writes> {
  const { measured, gateway } = run;
  const query = run.platform.services.query!;
  const writers = seeded.users;
  const commentTargets = seeded.postIds.slice(-40);
  const { createComment, catchUp: caughtUp, cpuPerComment } = await commentWrites(run, options, seeded);
  await run.quiet(options.drainTimeoutS);

  const overloaded = await measured('beyond capacity', () =>
    overload({
      gateway,
      natsUrl: run.platform.natsUrl,
      queryOrigin: query,
      writers,
      moderator: seeded.moderator,
      postIds: commentTargets,
      sustainedPerSecond: createComment.requestsPerSecond,
      factor: options.overloadFactor,
      seconds: options.overloadS,
      drainTimeoutS: options.drainTimeoutS + 3 * options.overloadS,
    }),
  );
  await run.quiet(options.drainTimeoutS, 'consumers still busy after the beyond-capacity phase');

  const createPost = await measured('create post', () =>
    writeLoad(
      gateway,
      options,
      writers.map((user, i) => ({
        method: 'POST' as const,
        path: '/api/posts',
        headers: { 'Content-Type': 'application/json', ...user.headers },
        body: JSON.stringify({
          title: `Load post [<id>]`,
          body: `Written under load ${i}. [<id>]`,
          tags: ['load', `t${i % 4}`],
        }),
      })),
    ),
  );
  const drainStarted = performance.now();
  const drained = await measured('write backlog drain', () => run.quiet(options.drainTimeoutS));
  const backlogDrainSeconds = drained ? round((performance.now() - drainStarted) / 1000, 1) : -1;
  return { createComment, catchUp: caughtUp, cpuPerComment, overload: overloaded, createPost, backlogDrainSeconds };
}

/** CPU of the platform's processes over the named phases, per comment. */
function cpuPer(run: BenchRun, phases: string[], comments: number): CpuPerComment {
  const byProcess: Record<string, number> = {};
  for (const phase of phases) {
    for (const [name, { cpuS }] of Object.entries(run.usage[phase]?.processes ?? {})) {
      if (!notThePlatform.has(name) && Number.isFinite(cpuS)) byProcess[name] = (byProcess[name] ?? 0) + cpuS;
    }
  }
  const cpuS = Object.values(byProcess).reduce((sum, s) => sum + s, 0);
  const perComment = (s: number) => round((s * 1000) / Math.max(comments, 1), 2);
  return {
    ms: perComment(cpuS),
    byProcess: Object.fromEntries(Object.entries(byProcess).map(([name, s]) => [name, perComment(s)])),
    comments,
    cpuS: round(cpuS, 2),
  };
}
