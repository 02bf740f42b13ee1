import type { SeenFigures } from './author-view';
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

function expectSeen(figures: SeenFigures, sent: number): void {
  expect(figures.seen + figures.neverSeen).toBe(sent);
  if (figures.seen > 0)
    for (const key of ['p50Ms', 'p95Ms', 'p99Ms', 'maxMs'] as const) expect(finite(figures[key])).toBe(true);
}

function expectLatency(phase: LatencyResult): void {
  expect(phase.sent).toBeGreaterThan(0);
  expect(Object.values(phase.failures).reduce((sum, count) => sum + count, 0)).toBe(phase.failedPosts);
  // As the author sees it: their live stream and their reads of the page, with the readers' streams open.
  expectSeen(phase.author.live, phase.sent);
  expectSeen(phase.author.polled, phase.sent);
  expect(phase.author.live.streamOpen).toBe(true);
  expect(phase.author.polled.reads).toBeGreaterThan(0);
  expect(phase.author.readers.streams).toBeGreaterThan(0);
  expect(phase.author.readers.open).toBeLessThanOrEqual(phase.author.readers.streams);
  expect(finite(phase.author.readers.deliveries)).toBe(true);
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
      scale.postPage,
    ]) {
      expect(finite(read.ratioOfCeiling)).toBe(true);
      expect(finite(read.ceilingRequestsPerSecond)).toBe(true);
    }
    // The ceilings answer exactly the bytes query gave.
    expect(reads.ceilingList.responseBytes).toBe(result.seed.postListBytes);
    expect(reads.ceilingPage.responseBytes).toBe(result.seed.postPageBytes);
    expect(reads.ceilingPageSignedIn.responseBytes).toBe(result.seed.postPageSignedInBytes);
    expect(result.seed.postPageComments).toBe(10);
    // Cache misses: never-read pages with comments, on the empty platform and at scale.
    for (const cold of [result.cold, scale.cold]) {
      expect(cold.reads).toBe(smokeOptions.coldReads);
      expect(cold.commentsPerPage).toBeGreaterThan(0);
      for (const key of ['p50Ms', 'maxMs', 'meanMs'] as const) expect(finite(cold[key])).toBe(true);
    }
  });

  it('grows the platform to scale through the real pipeline and repeats the key figures', () => {
    const { scale } = result;
    expect(scale.posts.totalPosts).toBeGreaterThanOrEqual(result.seed.posts + scale.posts.posts);
    const c = scale.comments;
    expect(c.offered).toBe(smokeOptions.scaleComments);
    expect(c.written.ok).toBeGreaterThan(0);
    expect(c.created).toBeGreaterThanOrEqual(c.written.ok);
    expect(c.final).toBeLessThanOrEqual(c.created);
    expect(c.consistentPosts).toBeLessThanOrEqual(c.checkedPosts);
    expect(c.checkedPosts).toBeGreaterThan(0);
    expectLatency(scale.steady);
    for (const ratio of Object.values(scale.vsEmpty)) expect(typeof ratio).toBe('number');
  });

  it('measures the HTML pages beside their ceiling, signed in, how fresh they are, and splits their time', () => {
    for (const fresh of [result.html.freshness.home, result.html.freshness.postPage]) {
      expect(fresh.samples).toBe(smokeOptions.freshnessSamples);
      expect(fresh.neverShown).toBeLessThanOrEqual(fresh.samples);
      expect(fresh.reads).toBeGreaterThan(0);
      if (fresh.neverShown < fresh.samples) expect(finite(fresh.p50Ms) && finite(fresh.maxMs)).toBe(true);
    }
    for (const page of [result.html.home, result.html.postPage]) {
      expectLoad(page.load);
      expectLoad(page.signedIn);
      expect(page.signedInIsUser).toBe(true);
      expect(page.signedInPersonal.length).toBeGreaterThan(0);
      for (const personal of page.signedInPersonal) expectLoad(personal.load);
      expect(finite(page.signedInShownMs)).toBe(true);
      expect(finite(page.load.ratioOfCeiling) && finite(page.load.ceilingRequestsPerSecond)).toBe(true);
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
    // CPU per comment: every platform process together, and each of them.
    expect(finite(writes.cpuPerComment.ms)).toBe(true);
    expect(writes.cpuPerComment.comments).toBe(c.created);
    for (const name of ['comments', 'moderation', 'query', 'nats', 'mongo', 'gateway'])
      expect(finite(writes.cpuPerComment.byProcess[name])).toBe(true);
  });

  it('offers twice the sustained rate and accounts for every request and every accepted comment', () => {
    const o = result.writes.overload;
    expect(o.offeredPerSecond).toBe(Math.max(1, Math.round(o.sustainedPerSecond * o.factor)));
    const failed = Object.values(o.failed).reduce((sum, count) => sum + count, 0);
    expect(o.accepted + o.refused + failed).toBe(o.offered);
    expect(o.refusedWithRetryAfter).toBeLessThanOrEqual(o.refused);
    expect(o.finalInQuery + o.lost).toBe(o.accepted);
    expect(o.verifiedInQuery).toBeLessThanOrEqual(o.finalInQuery);
    if (o.accepted > 0) expect(finite(o.acceptedP50Ms) && finite(o.acceptedP99Ms)).toBe(true);
    if (o.refused > 0) expect(finite(o.refusedP50Ms) && finite(o.refusedP99Ms)).toBe(true);
  });

  it('measures the comment latency as its author sees it at a steady rate and at a fast one, counting what never arrived', () => {
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
      expect(finite(result.usage['post list']!.processes[name]!.cpuS)).toBe(true);
    }
  });

  it('reports every target of the issue beside its figure and prints the tables', () => {
    expect(result.targets.map((t) => t.key).sort()).toEqual(
      [
        'createComment',
        'catchUp',
        'cpuPerComment',
        'steadyLive',
        'steadyPolled',
        'steadyLost',
        'burstLive',
        'burstPolled',
        'burstBacklog',
        'overloadShed',
        'overloadAccepted',
        'overloadLost',
        'scaleLatency',
        'scaleReads',
        'scaleCold',
        'postList',
        'htmlAnonymous',
        'htmlFresh',
        'htmlSignedIn',
        'rebuild',
        'memory',
      ].sort(),
    );
    for (const target of result.targets) expect(typeof target.met).toBe('boolean');
    const report = formatReport(result);
    for (const text of [
      'target (issue 20)',
      'bare Node ceiling: the post list',
      'comment POST → final status as its author sees it',
      'Catch-up',
      'CPU per comment',
      'beyond capacity',
      'Scale:',
      'HTML',
    ])
      expect(report).toContain(text);
    for (const target of result.targets) expect(report).toContain(target.value);
    expect(JSON.parse(JSON.stringify(result))).toMatchObject({ schema: 'postline-bench/3', mode: 'smoke' });
  });
});
