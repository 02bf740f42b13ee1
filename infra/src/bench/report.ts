import type { BenchResult, ReadResult } from './benchmark';
import type { LatencyResult } from './event-latency';
import type { LoadResult } from './load';
import type { HtmlPageResult } from './pages';
import { SERVICES, type TargetCheck, type TargetKey } from './targets';

const n = (value: number | undefined, digits = 0) =>
  value !== undefined && Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

const align = (spec: string) => row(spec.split('').map((c) => (c === 'r' ? '---:' : '---')));

function notes(r: LoadResult): string {
  const failures = r.non2xx + r.errors + r.timeouts;
  return [
    failures ? `${n(failures)} failed` : '',
    r.connectionClose ? `Connection: close (mean by Little's law ${n(r.littleMeanMs, 1)} ms)` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The result as Markdown tables, every figure beside its target: printed by `npm run bench`. */
export function formatReport(r: BenchResult): string {
  const lines: string[] = [];
  const m = r.machine;
  const o = r.options;
  const target = new Map<TargetKey, TargetCheck>(r.targets.map((t) => [t.key, t]));
  const goal = (key: TargetKey) => target.get(key)?.goal ?? '';
  const met = (key: TargetKey) => {
    const t = target.get(key);
    return t ? (t.met ? 'yes' : '**no**') : '';
  };

  lines.push(
    `Postline benchmark, ${r.mode} run, ${r.date} — ${m.nproc} cores (${m.cpuModel}), ${n(m.memoryMb / 1024, 1)} GB, Node ${m.node}; ` +
      `load average before ${m.loadAverageBefore.join(' / ')}, after ${m.loadAverageAfter.join(' / ')}; ` +
      `${o.durationS} s per loaded phase after ${o.warmupS} s of warm-up; the whole run ${n(r.seconds)} s. ` +
      `Source: ${r.source.commit}${r.source.uncommitted.length ? ` with uncommitted changes in ${r.source.uncommitted.join(', ')}` : ''}.`,
    '',
  );

  // JSON reads.
  const readRow = (name: string, x: LoadResult | ReadResult, key?: TargetKey, targetText?: string) => {
    const ratio = 'ratioOfCeiling' in x ? x : undefined;
    return row([
      name,
      n(x.responseBytes),
      n(x.requestsPerSecond),
      n(x.p50Ms, 1),
      n(x.p99Ms, 1),
      ratio ? n(ratio.ceilingRequestsPerSecond) : '',
      ratio ? n(ratio.ratioOfCeiling, 3) : '',
      targetText ?? (key ? goal(key) : ''),
      key ? met(key) : '',
      notes(x),
    ]);
  };
  const rd = r.reads;
  lines.push(
    row([
      `JSON reads, ${o.connections} connections, anonymous unless noted`,
      'bytes',
      'req/s',
      'p50 ms',
      'p99 ms',
      'ceiling req/s (same bytes)',
      '× ceiling',
      'target',
      'met',
      '',
    ]),
    align('lrrrrrrlll'),
    readRow('bare Node ceiling: the post list', rd.ceilingList),
    readRow('bare Node ceiling through the gateway (nginx)', rd.ceilingListViaGateway),
    readRow('`GET /api/query/posts?limit=20` through the gateway', rd.postList, 'postList'),
    readRow('the same straight to query (no gateway)', rd.postListDirect),
    readRow('bare Node ceiling: the post page', rd.ceilingPage),
    readRow(`post page (\`GET /api/query/posts/:id\`, ${r.seed.postPageComments} comments)`, rd.postPage, 'postPage'),
    readRow('bare Node ceiling: the post page signed in', rd.ceilingPageSignedIn),
    readRow('post page signed in (Bearer; liked, following the author)', rd.postPageSignedIn, 'postPageSignedIn'),
    readRow(
      `\`GET /api/query/posts?limit=20\` with ${n(r.scale.seeding.totalPosts)} posts`,
      r.scale.postList,
      'scale',
      `${goal('scale')} of the 20-post req/s: ${n(r.scale.ratioTo20Posts, 3)}`,
    ),
    '',
  );
  const sc = r.scale.seeding;
  lines.push(
    `Scale: ${n(sc.posts)} \`post.created\` events published straight to NATS in ${n(sc.publishSeconds, 1)} s; ` +
      `query listed all of them ${n(sc.appliedSeconds, 1)} s after the first (${n(sc.appliedPerSecond)} posts/s applied by the live service, ` +
      `with comments and moderation consuming the same events). The first page is the same 20 posts (older posts were added), ` +
      `${n(r.scale.postListBytes)} bytes instead of ${n(r.seed.postListBytes)}.`,
    '',
  );

  // HTML pages.
  const html = (name: string, h: HtmlPageResult) => {
    const b = h.breakdown;
    return row([
      `${name} \`${h.path.length > 40 ? `${h.path.slice(0, 37)}…` : h.path}\``,
      n(b.htmlBytes),
      n(h.load.requestsPerSecond, 1),
      n(h.load.p50Ms, 1),
      n(h.load.p99Ms, 1),
      n(b.viaGatewayMs, 2),
      n(b.directMs, 2),
      n(b.gatewayMs, 2),
      n(b.apiWaitMs, 2),
      n(b.renderMs, 2),
      notes(h.load),
    ]);
  };
  lines.push(
    row([
      `HTML (Next.js), through the gateway, ${o.htmlConnections} connections, anonymous`,
      'bytes',
      'req/s',
      'p50 ms',
      'p99 ms',
      'one request, via gateway ms',
      'straight to Next.js ms',
      'gateway ms',
      'waiting on the API ms',
      "Next.js's own ms",
      '',
    ]),
    align('lrrrrrrrrrl'),
    html('home', r.html.home),
    html('post page', r.html.postPage),
    '',
    `Where an HTML page's time goes (one connection, quiet platform; means): the API calls each page makes, alone, straight to the service — ` +
      [r.html.home, r.html.postPage]
        .map(
          (h) =>
            `\`${h.path === '/' ? '/' : '/posts/…'}\`: ${h.breakdown.api.map((a) => `${a.call} ${n(a.ms, 2)} ms`).join(', ')}`,
        )
        .join('; ') +
      `. They run concurrently while the page renders, so the page waits about as long as the slowest; the rest is Next.js (routing, React server rendering, streaming). ` +
      `Under load, the CPU table's \`html …\` rows show which process is busy. Target: ${goal('html')}.`,
    '',
  );

  // Writes.
  const w = r.writes;
  const c = w.catchUp;
  lines.push(
    row(['writes, through the gateway', 'req/s', 'p50 ms', 'p99 ms', 'target', 'met', '']),
    align('lrrrlll'),
    row([
      `\`POST /api/comments\`, ${o.writeConnections} connections`,
      n(w.createComment.requestsPerSecond),
      n(w.createComment.p50Ms, 1),
      n(w.createComment.p99Ms, 1),
      goal('createComment'),
      met('createComment'),
      notes(w.createComment),
    ]),
    row([
      `\`POST /api/posts\`, ${o.writeConnections} connections`,
      n(w.createPost.requestsPerSecond),
      n(w.createPost.p50Ms, 1),
      n(w.createPost.p99Ms, 1),
      '',
      '',
      notes(w.createPost),
    ]),
    '',
    `Catch-up after \`POST /api/comments\`: ${n(c.answered)} answered 201, ${n(c.created)} created (\`comment.created\` events); ` +
      `**${n(c.finalWithin)} of ${n(c.created)} final in query ${c.withinS} s after the load stopped**, ` +
      (c.lastFinalAfterMs >= 0
        ? `the last one ${n(c.lastFinalAfterMs / 1000, 2)} s after`
        : `${n(c.created - c.finalAtEnd)} still not final ${o.drainTimeoutS} s after`) +
      ` (timed by ack samples: ${n(c.timedBySamples)}; shown with that status by a read: ${n(c.verifiedInQuery)} of ${n(c.finalAtEnd)}). ` +
      `Target: ${goal('catchUp')} — ${met('catchUp')}. ` +
      `Write backlog ${w.backlogDrainSeconds >= 0 ? `drained ${n(w.backlogDrainSeconds, 1)} s after the write phases` : `not drained within ${o.drainTimeoutS} s after the write phases`}.`,
    '',
  );

  // Event latency.
  const lat = (x: LatencyResult, p50Key: TargetKey | undefined, p99Key: TargetKey, backlogKey?: TargetKey) =>
    row([
      `${x.targetRate}/s`,
      n(x.sent),
      n(x.postRate, 1),
      n(x.postP50Ms, 1),
      n(x.postP99Ms, 1),
      n(x.p50Ms, 2),
      n(x.p95Ms, 2),
      n(x.p99Ms, 2),
      n(x.maxMs, 2),
      `${n(x.neverArrived)}${x.failedPosts ? ` (+${n(x.failedPosts)} POSTs failed)` : ''}`,
      `${n(x.timedBySamples)} of ${n(x.arrived)}${Number.isFinite(x.floorLagP50Ms) ? ` (floor ${n(x.floorLagP50Ms, 1)} ms later)` : ''}`,
      `${n(x.verifiedInQuery)} of ${n(x.arrived)}`,
      `${n(x.backlog.startPending)} → ${n(x.backlog.endPending)} (max ${n(x.backlog.maxPending)}, ${n(x.backlog.slopePerS, 1)}/s)`,
      [p50Key ? `p50 ${goal(p50Key)} ${met(p50Key)}` : '', `p99 ${goal(p99Key)} ${met(p99Key)}`]
        .concat(x.targetRate === r.eventLatency.steady.targetRate ? [`none lost ${met('steadyLost')}`] : [])
        .concat(backlogKey ? [`backlog ${goal(backlogKey)} ${met(backlogKey)}`] : [])
        .filter(Boolean)
        .join('; '),
    ]);
  lines.push(
    row([
      'comment POST → final status in query',
      'sent',
      'rate/s',
      'POST p50 ms',
      'POST p99 ms',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'never final',
      'timed by ack samples',
      'verified by a read',
      'consumers pending: start → end',
      'targets',
    ]),
    align('lrrrrrrrrrrrll'),
    lat(r.eventLatency.steady, 'steadyP50', 'steadyP99'),
    lat(r.eventLatency.burst, undefined, 'burstP99', 'burstBacklog'),
    '',
  );
  const hop = (x: LatencyResult) =>
    row([
      `${x.targetRate}/s`,
      `${n(x.postP50Ms, 1)} / ${n(x.postP99Ms, 1)}`,
      `${n(x.hops.created.p50Ms, 1)} / ${n(x.hops.created.p99Ms, 1)}`,
      `${n(x.hops.moderated.p50Ms, 1)} / ${n(x.hops.moderated.p99Ms, 1)}`,
      `${n(x.hops.applied.p50Ms, 1)} / ${n(x.hops.applied.p99Ms, 1)}`,
      `${n(x.p50Ms, 1)} / ${n(x.p99Ms, 1)}`,
    ]);
  lines.push(
    row([
      "where a comment's time goes, p50 / p99 ms",
      'POST → 201',
      '201 → `comment.created` in NATS',
      '→ `comment.moderated` in NATS',
      '→ applied by query (acked)',
      '201 → final in query',
    ]),
    align('lrrrrr'),
    hop(r.eventLatency.steady),
    hop(r.eventLatency.burst),
    '',
    "Each hop's percentiles are its own (they need not add up); NATS stream times have millisecond precision, " +
      'so a hop of a few ms is ±1 ms. A negative first hop: the event was stored before the 201 reached the benchmark.',
    '',
  );

  lines.push(
    ...r.rebuild.attempts.map((a) =>
      a.finished
        ? `Rebuild${a.concurrency ? ` (concurrency ${a.concurrency})` : ''}: ${n(a.applied)} of ${n(a.events)} events replayed into empty read models in ${n(a.seconds, 1)} s = **${n(a.eventsPerSecond)} events/s**; ` +
          `the command took ${n(a.commandSeconds, 1)} s, ${n(a.maxRssMb)} MB resident.`
        : `Rebuild${a.concurrency ? ` (concurrency ${a.concurrency})` : ''} of ${n(a.events)} events **did not finish**: ${a.error}; ` +
          `${a.progressEventsPerSecond ? `about ${n(a.progressEventsPerSecond)} events/s while it ran; ` : ''}streams fully replayed before: ${a.streams.map((st) => `${st.stream} (${n(st.end)} events by ${n(st.atSeconds, 1)} s)`).join(', ') || 'none'}.`,
    ),
    `Target: ${goal('rebuild')} — ${met('rebuild')}.`,
    '',
  );

  if ('insertOne' in r.database) {
    const f = r.database;
    const op = (name: string, x: { sequentialMs: number; concurrentPerSecond: number }) =>
      row([name, n(x.sequentialMs, 2), n(x.concurrentPerSecond)]);
    lines.push(
      row([
        `the local MongoDB alone (driver, ${f.documents} documents)`,
        'ms/op one at a time',
        `ops/s, ${f.concurrency} in flight`,
      ]),
      align('lrr'),
      op('insertOne', f.insertOne),
      op('findOne by _id', f.findOneById),
      op('updateOne by _id', f.updateOneById),
      op('find, sort by date, limit 20', f.findPageOf20),
      op('countDocuments', f.countDocuments),
      '',
    );
  } else lines.push(`Database baseline failed: ${r.database.error}`, '');

  const procs = [...new Set([...Object.keys(r.memory.idle), ...Object.keys(r.memory.underLoad)])];
  lines.push(row(['resident memory (MB)', ...procs]), row(['---', ...procs.map(() => '---:')]));
  lines.push(row(['idle', ...procs.map((p) => n(r.memory.idle[p]))]));
  lines.push(row(['under load (max)', ...procs.map((p) => n(r.memory.underLoad[p]))]));
  lines.push(row(['peak (VmHWM)', ...procs.map((p) => n(r.memory.peak[p]))]));
  lines.push(
    row([
      `≤ 100 MB under load (services)`,
      ...procs.map((p) =>
        SERVICES.includes(p) ? ((r.memory.underLoad[p] ?? Infinity) <= 100 ? 'yes' : '**no**') : '',
      ),
    ]),
    '',
  );

  const usageProcs = [...new Set(Object.values(r.usage).flatMap((u) => Object.keys(u.processes)))];
  lines.push(
    row(['CPU, % of one core', ...usageProcs, 'machine', 's']),
    row(['---', ...usageProcs.map(() => '---:'), '---:', '---:']),
  );
  for (const [phase, u] of Object.entries(r.usage)) {
    lines.push(
      row([phase, ...usageProcs.map((p) => n(u.processes[p]?.cpuPercent)), n(u.machineCpuPercent), n(u.seconds, 1)]),
    );
  }
  lines.push('', row(['target (issue 11)', 'goal', 'measured', 'met']), align('llll'));
  for (const t of r.targets) lines.push(row([t.target, t.goal, t.value, t.met ? 'yes' : '**no**']));
  return `${lines.join('\n')}\n`;
}
