/**
 * The benchmark's comment write phase alone, for A/B comparisons of CPU per comment:
 * platform up (production mode, as `npm run bench`), seed, then the write phase and its
 * catch-up `BENCH_WRITE_ROUNDS` times (default 3), each printed as one line of JSON
 * (comments, req/s, CPU ms per comment in all and per process); before them the CPU each
 * process uses idle (% of a core over `BENCH_DURATION_S`), after them each one's largest RSS.
 * About a minute with the default `BENCH_DURATION_S`; options as for the whole benchmark
 * (options.ts), `--cpu-prof` included (profiles of the whole run, seed and all).
 *
 *   node infra/dist/bench/write-cpu.js [--rounds 5]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';
import { BenchRun, log } from './bench-run';
import { parseOptions } from './options';
import { seed } from './seed';
import { commentWrites } from './write-phases';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv, process.env);
  const roundsFlag = argv.indexOf('--rounds');
  const rounds = Number(roundsFlag >= 0 ? argv[roundsFlag + 1] : (process.env.BENCH_WRITE_ROUNDS ?? 3));
  if (options.cpuProfile) {
    const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
    options.profileDir ||= join(repositoryRoot(__dirname), 'infra', 'bench-results', `${stamp}-write-profile`);
  }
  const run = await BenchRun.start(options);
  try {
    const p = run.platform;
    const seeded = await seed(p.url, p.services.query!, p.tokenKeys.privateKey, {
      users: options.users,
      posts: options.posts,
    });
    await run.quiet(120, 'consumers still busy after seeding');
    // What the platform burns with nothing to do, which a slower write phase spreads over fewer comments.
    await run.measured('idle', () => new Promise((r) => setTimeout(r, options.durationS * 1000)));
    const idle = run.usage.idle!;
    const idleCpu = Object.fromEntries(
      Object.entries(idle.processes)
        .filter(([name, { cpuPercent }]) => Number.isFinite(cpuPercent) && name !== 'bench' && name !== 'load')
        .map(([name, { cpuPercent }]) => [name, cpuPercent]),
    );
    process.stdout.write(`${JSON.stringify({ idleCpuPercent: idleCpu })}\n`);
    for (let round = 1; round <= rounds; round++) {
      const { createComment, catchUp, cpuPerComment } = await commentWrites(run, options, seeded, `writes ${round}`);
      const line = {
        round,
        comments: cpuPerComment.comments,
        postsPerSecond: createComment.requestsPerSecond,
        finalWithinCatchUp: `${catchUp.finalWithin}/${catchUp.created}`,
        cpuMsPerComment: cpuPerComment.ms,
        byProcess: cpuPerComment.byProcess,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
      await run.quiet(options.drainTimeoutS);
    }
    process.stdout.write(`${JSON.stringify({ largestRssMb: run.underLoad })}\n`);
    if (options.cpuProfile) writeFileSync(join(options.profileDir, 'pids.json'), JSON.stringify(p.pids(), null, 2));
    if (run.warnings.length) log(`warnings:\n${run.warnings.join('\n')}`);
  } finally {
    await run.stop();
  }
  if (options.cpuProfile) log(`profiles in ${options.profileDir}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`write-cpu: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
