import { leakVerdicts, type MemorySample } from './leak-check';

/** Samples every 30 s over `minutes`, each process's RSS given by a function of the minute. */
function run(minutes: number, rss: Record<string, (minute: number) => number>): MemorySample[] {
  return Array.from({ length: minutes * 2 }, (_, i) => {
    const atS = (i + 1) * 30;
    return {
      atS,
      writes: 600,
      failedWrites: 0,
      writes5xx: 0,
      reads: 600,
      failedReads: 0,
      rssMb: Object.fromEntries(Object.entries(rss).map(([name, f]) => [name, Math.round(f(atS / 60))])),
    };
  });
}

describe('leakVerdicts', () => {
  it('passes growth that levels off in the first half and flags growth that goes on', () => {
    const verdicts = leakVerdicts(
      run(10, {
        // Warms up for five minutes, then flat within a few MB.
        query: (m) => (m < 5 ? 100 + 2 * m : 110 + (m % 2)),
        // 3 MB a minute, all the way.
        comments: (m) => 100 + 3 * m,
      }),
      10,
    );
    expect(verdicts.map((v) => [v.process, v.leak])).toEqual([
      ['query', false],
      ['comments', true],
    ]);
    expect(verdicts[1]).toMatchObject({ slopeMbPerMin: 3, limit: { slopeMbPerMin: 2 }, firstMb: 115, lastMb: 130 });
  });

  it('lets nats-server grow with the data within its own limit, and holds the database to a ceiling', () => {
    const growing = leakVerdicts(run(10, { nats: (m) => 20 + 6 * m, mongo: (m) => 200 + 25 * m }), 10);
    expect(growing.map((v) => [v.process, v.leak])).toEqual([
      ['nats', false],
      ['mongo', false],
    ]);
    const past = leakVerdicts(run(10, { nats: (m) => 20 + 12 * m, mongo: (m) => 300 + 25 * m }), 10);
    expect(past.map((v) => [v.process, v.leak])).toEqual([
      ['nats', true],
      ['mongo', true],
    ]);
  });

  it('refuses to judge a run too short to have a trend', () => {
    expect(() => leakVerdicts(run(1, { query: () => 100 }), 1)).toThrow(/too few samples/);
  });
});
