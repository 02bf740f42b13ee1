import { runBenchmark, type BenchResult } from './benchmark';
import type { LatencyResult } from './event-latency';
import type { LoadResult } from './load';
import { smokeOptions } from './options';
import { formatReport } from './report';

/**
 * The benchmark's smoke mode: the whole run in seconds of load, so that it
 * cannot silently break. It checks that every figure is produced and well
 * formed, never how fast anything is. Needs the build (`npm test` builds first).
 */
jest.setTimeout(300_000);

const finite = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function expectLoad(figure: LoadResult): void {
  expect(figure.ok).toBeGreaterThan(0);
  for (const key of ['requestsPerSecond', 'p50Ms', 'p99Ms', 'maxMs', 'littleMeanMs', 'endedAtMs'] as const)
    expect(finite(figure[key])).toBe(true);
}

function expectLatency(phase: LatencyResult): void {
  expect(phase.sent).toBeGreaterThan(0);
  expect(phase.arrived + phase.neverArrived).toBe(phase.sent);
  expect(phase.verifiedInQuery).toBeLessThanOrEqual(phase.arrived);
  expect(phase.timedBySamples).toBeLessThanOrEqual(phase.arrived);
  for (const key of ['postRate', 'postP50Ms', 'postP99Ms'] as const) expect(finite(phase[key])).toBe(true);
  if (phase.arrived > 0)
    for (const key of ['p50Ms', 'p95Ms', 'p99Ms', 'maxMs'] as const) expect(finite(phase[key])).toBe(true);
  for (const key of ['startPending', 'endPending', 'maxPending'] as const)
    expect(finite(phase.backlog[key])).toBe(true);
  expect(typeof phase.backlog.growing).toBe('boolean');
  if (phase.arrived > 0) {
    for (const hop of Object.values(phase.hops))
      expect(Number.isFinite(hop.p50Ms) && Number.isFinite(hop.p99Ms)).toBe(true);
  }
}

describe('npm run bench --smoke', () => {
  let result: BenchResult;

  beforeAll(async () => {
    result = await runBenchmark({ ...smokeOptions, rebuildEvents: 500 });
  });

  it('measures every JSON read as a ratio of the bare-Node ceiling for the same bytes', () => {
    const { reads, scale } = result;
    for (const figure of Object.values(reads)) expectLoad(figure);
    for (const read of [
      reads.ceilingListViaGateway,
      reads.postList,
      reads.postListDirect,
      reads.postPage,
      reads.postPageSignedIn,
      scale.postList,
    ]) {
      expect(finite(read.ratioOfCeiling)).toBe(true);
      expect(finite(read.ceilingRequestsPerSecond)).toBe(true);
    }
    // The ceilings answer exactly the bytes query gave.
    expect(reads.ceilingList.responseBytes).toBe(result.seed.postListBytes);
    expect(reads.ceilingPage.responseBytes).toBe(result.seed.postPageBytes);
    expect(reads.ceilingPageSignedIn.responseBytes).toBe(result.seed.postPageSignedInBytes);
    expect(result.seed.postPageComments).toBe(10);
    expect(scale.seeding.totalPosts).toBeGreaterThanOrEqual(result.seed.posts + scale.seeding.posts);
    expect(finite(scale.ratioTo20Posts)).toBe(true);
  });

  it('measures the HTML pages and splits their time', () => {
    for (const page of [result.html.home, result.html.postPage]) {
      expectLoad(page.load);
      const b = page.breakdown;
      for (const key of ['viaGatewayMs', 'directMs', 'apiWaitMs', 'htmlBytes'] as const)
        expect(finite(b[key])).toBe(true);
      expect(Number.isFinite(b.renderMs)).toBe(true);
      expect(b.api.length).toBeGreaterThan(0);
      for (const call of b.api) expect(finite(call.ms)).toBe(true);
    }
  });

  it('measures the comment writes and checks that every comment became final', () => {
    const { writes } = result;
    expectLoad(writes.createComment);
    expectLoad(writes.createPost);
    const c = writes.catchUp;
    expect(c.created).toBeGreaterThanOrEqual(c.answered);
    expect(c.finalWithin).toBeLessThanOrEqual(c.finalAtEnd);
    expect(c.finalAtEnd).toBeLessThanOrEqual(c.created);
    expect(c.verifiedInQuery).toBeLessThanOrEqual(c.finalAtEnd);
    expect(c.lastFinalAfterMs === -1 || finite(c.lastFinalAfterMs)).toBe(true);
    expect(typeof c.keptUp).toBe('boolean');
  });

  it('measures event latency at a steady rate and at a fast one, counting what never arrived', () => {
    expectLatency(result.eventLatency.steady);
    expectLatency(result.eventLatency.burst);
    expect(result.eventLatency.steady.arrived).toBeGreaterThan(0);
    // What the NATS acknowledgements said had arrived, a read of the post pages shows.
    expect(result.eventLatency.steady.verifiedInQuery).toBe(result.eventLatency.steady.arrived);
  });

  it('measures the database alone, rebuild speed, and the memory and CPU of every process', () => {
    expect('insertOne' in result.database ? finite(result.database.insertOne.sequentialMs) : result.database).toBe(
      true,
    );
    // A rebuild that fails is a finding, reported with its error, not a broken benchmark.
    for (const attempt of result.rebuild.attempts) {
      if (attempt.finished) expect(attempt.applied).toBeGreaterThan(0);
      else expect(attempt.error).toEqual(expect.any(String));
      expect(finite(attempt.eventsPerSecond)).toBe(true);
      expect(finite(attempt.commandSeconds)).toBe(true);
    }
    for (const name of ['auth', 'posts', 'comments', 'moderation', 'query', 'client', 'nats', 'mongo', 'gateway']) {
      expect(finite(result.memory.idle[name])).toBe(true);
      expect(finite(result.memory.underLoad[name])).toBe(true);
      expect(finite(result.usage['post list']!.processes[name]!.cpuPercent)).toBe(true);
    }
  });

  it('reports every target of the issue beside its figure and prints the tables', () => {
    expect(result.targets.map((t) => t.key).sort()).toEqual(
      [
        'postList',
        'postPage',
        'postPageSignedIn',
        'scale',
        'createComment',
        'catchUp',
        'steadyP50',
        'steadyP99',
        'steadyLost',
        'burstP99',
        'burstBacklog',
        'rebuild',
        'memory',
        'html',
      ].sort(),
    );
    for (const target of result.targets) expect(typeof target.met).toBe('boolean');
    const report = formatReport(result);
    for (const text of ['bare Node ceiling: the post list', 'comment POST → final status in query', 'Catch-up', 'HTML'])
      expect(report).toContain(text);
    expect(JSON.parse(JSON.stringify(result))).toMatchObject({ schema: 'postline-bench/2', mode: 'smoke' });
  });
});
