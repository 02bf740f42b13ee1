import type { BenchResult } from './benchmark';

export interface TargetCheck {
  target: string;
  goal: string;
  value: string;
  met: boolean;
}

/** The targets, reported (never asserted): what Postline must reach on a 2-core machine. */
export function evaluateTargets(r: Omit<BenchResult, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const ratio = (n: number) => n.toFixed(3);
  checks.push({
    target: 'post list through the gateway / bare-Node ceiling',
    goal: '≥ 0.28',
    value: ratio(r.reads.postList.ratioOfCeiling),
    met: r.reads.postList.ratioOfCeiling >= 0.28,
  });
  checks.push({
    target: 'post page (50 comments) through the gateway / bare-Node ceiling',
    goal: '≥ 0.28',
    value: ratio(r.reads.postPage.ratioOfCeiling),
    met: r.reads.postPage.ratioOfCeiling >= 0.28,
  });
  checks.push({
    target: 'creating comments',
    goal: '≥ 1,000 req/s',
    value: `${r.writes.createComment.requestsPerSecond} req/s`,
    met: r.writes.createComment.requestsPerSecond >= 1000,
  });
  const steady = r.eventLatency.steady;
  checks.push({
    target: `comment POST → final status in query at ${steady.targetRate}/s, p50`,
    goal: '≤ 9 ms',
    value: `${steady.p50Ms} ms`,
    met: steady.p50Ms <= 9,
  });
  checks.push({
    target: `comment POST → final status in query at ${steady.targetRate}/s, p99`,
    goal: '≤ 19 ms',
    value: `${steady.p99Ms} ms`,
    met: steady.p99Ms <= 19 && steady.neverArrived === 0,
  });
  checks.push({
    target: 'rebuild speed',
    goal: '≥ 10,000 events/s',
    value: r.rebuild.finished
      ? `${r.rebuild.eventsPerSecond} events/s`
      : `did not finish (${r.rebuild.error}; ~${r.rebuild.progressEventsPerSecond} events/s while it ran)`,
    met: r.rebuild.finished && r.rebuild.eventsPerSecond >= 10_000,
  });
  const services = ['auth', 'posts', 'comments', 'moderation', 'query'];
  const heaviest = services
    .map((name) => [name, r.memory.underLoad[name] ?? NaN] as const)
    .sort((a, b) => b[1] - a[1])[0]!;
  checks.push({
    target: 'every service resident under load (largest)',
    goal: '≤ 100 MB',
    value: `${heaviest[0]} ${heaviest[1]} MB`,
    met: services.every((name) => (r.memory.underLoad[name] ?? Infinity) <= 100),
  });
  return checks;
}
