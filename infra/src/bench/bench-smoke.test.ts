import { runBenchmark, type BenchResult } from './benchmark';
import { smokeOptions } from './options';
import { formatReport } from './report';

/**
 * The benchmark's smoke mode: the whole run in seconds, so that it cannot
 * silently break. It checks that every figure is produced and well formed,
 * never how fast anything is. Needs the build (`npm test` builds first).
 */
jest.setTimeout(300_000);

const finite = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

describe('npm run bench --smoke', () => {
  let result: BenchResult;

  beforeAll(async () => {
    result = await runBenchmark({ ...smokeOptions, rebuildEvents: 500 });
  });

  it('measures every read and write, each read also as a ratio of the bare-Node ceiling', () => {
    const { reads, writes } = result;
    for (const figure of [
      reads.ceilingDirect,
      reads.ceilingViaGateway,
      reads.postList,
      reads.postListDirect,
      reads.postPage,
      writes.createPost,
      writes.createComment,
    ]) {
      expect(figure.ok).toBeGreaterThan(0);
      for (const key of ['requestsPerSecond', 'p50Ms', 'p99Ms', 'maxMs'] as const)
        expect(finite(figure[key])).toBe(true);
    }
    for (const read of [reads.ceilingViaGateway, reads.postList, reads.postListDirect, reads.postPage]) {
      expect(finite(read.ratioOfCeiling)).toBe(true);
    }
    expect(result.seed.postPageComments).toBe(50);
  });

  it('measures event latency at a steady rate and at saturation, counting what never arrived', () => {
    for (const phase of [result.eventLatency.steady, result.eventLatency.saturation]) {
      expect(phase.sent).toBeGreaterThan(0);
      expect(phase.arrived + phase.neverArrived).toBe(phase.sent);
      expect(phase.verifiedInQuery).toBeLessThanOrEqual(phase.arrived);
      for (const key of ['p50Ms', 'p95Ms', 'p99Ms', 'maxMs'] as const) {
        if (phase.arrived > 0) expect(finite(phase[key])).toBe(true);
      }
    }
    expect(result.eventLatency.steady.arrived).toBeGreaterThan(0);
    // What the NATS acknowledgements said had arrived, a read of the post pages shows.
    expect(result.eventLatency.steady.verifiedInQuery).toBe(result.eventLatency.steady.arrived);
  });

  it('measures rebuild speed and the memory of every service, idle and under load', () => {
    // A rebuild that fails is a finding, reported with its error, not a broken benchmark.
    for (const attempt of result.rebuild.attempts) {
      if (attempt.finished) expect(attempt.applied).toBeGreaterThan(0);
      else expect(attempt.error).toEqual(expect.any(String));
      expect(finite(attempt.eventsPerSecond)).toBe(true);
      expect(finite(attempt.commandSeconds)).toBe(true);
    }
    for (const service of ['auth', 'posts', 'comments', 'moderation', 'query', 'ferretdb', 'nats']) {
      expect(finite(result.memory.idle[service])).toBe(true);
      expect(finite(result.memory.underLoad[service])).toBe(true);
    }
  });

  it('reports every target of the issue and prints the tables', () => {
    expect(result.targets.length).toBeGreaterThanOrEqual(7);
    for (const target of result.targets) expect(typeof target.met).toBe('boolean');
    const report = formatReport(result);
    expect(report).toContain('bare Node ceiling, direct');
    expect(report).toContain('comment POST → final status in query');
    expect(JSON.parse(JSON.stringify(result))).toMatchObject({ schema: 'postline-bench/1', mode: 'smoke' });
  });
});
