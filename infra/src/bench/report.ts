import type { BenchResult } from './benchmark';
import type { LoadResult } from './load';

const n = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function loadRow(name: string, r: LoadResult & { ratioOfCeiling?: number }): string {
  const failures = r.non2xx + r.errors + r.timeouts;
  return row([
    name,
    n(r.requestsPerSecond),
    n(r.p50Ms, 1),
    n(r.p99Ms, 1),
    r.ratioOfCeiling === undefined ? '' : n(r.ratioOfCeiling, 3),
    [
      failures ? `${failures} failed` : '',
      r.connectionClose ? `Connection: close (mean by Little's law ${n(r.littleMeanMs, 1)} ms)` : '',
    ]
      .filter(Boolean)
      .join('; '),
  ]);
}

/** The result as Markdown tables: printed by `npm run bench` and pasted into the README. */
export function formatReport(r: BenchResult): string {
  const lines: string[] = [];
  const m = r.machine;
  lines.push(
    `Postline benchmark, ${r.mode} run, ${r.date} — ${m.nproc} cores (${m.cpuModel}), ${n(m.memoryMb / 1024, 1)} GB, Node ${m.node}; ` +
      `load average before ${m.loadAverageBefore.join(' / ')}, after ${m.loadAverageAfter.join(' / ')}; ${r.options.connections} connections, ${r.options.durationS} s per phase.`,
    '',
    row(['HTTP (through the gateway unless noted)', 'req/s', 'p50 ms', 'p99 ms', '× ceiling', '']),
    row(['---', '---:', '---:', '---:', '---:', '---']),
    loadRow('bare Node ceiling, direct', r.reads.ceilingDirect),
    loadRow('bare Node ceiling via the gateway', r.reads.ceilingViaGateway),
    loadRow('`GET /api/query/posts` (page of 20)', r.reads.postList),
    loadRow('`GET /api/query/posts` straight to query', r.reads.postListDirect),
    loadRow(`\`GET /api/query/posts/:id\` (${r.seed.postPageComments} comments)`, r.reads.postPage),
    loadRow('`POST /api/posts`', r.writes.createPost),
    loadRow('`POST /api/comments`', r.writes.createComment),
    '',
  );
  const s = r.eventLatency.steady;
  const sat = r.eventLatency.saturation;
  lines.push(
    row([
      'comment POST → final status in query',
      'sent',
      'rate/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'never arrived',
      'resolution ms',
      'verified by a read',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    row([
      `steady (${s.targetRate}/s)`,
      n(s.sent),
      n(s.postRate, 1),
      n(s.p50Ms, 1),
      n(s.p95Ms, 1),
      n(s.p99Ms, 1),
      n(s.maxMs, 1),
      n(s.neverArrived),
      n(s.pollMs, 1),
      `${n(s.verifiedInQuery)} of ${n(s.arrived)}`,
    ]),
    row([
      `saturation (${sat.writers} writers)`,
      n(sat.sent),
      n(sat.postRate, 1),
      n(sat.p50Ms, 1),
      n(sat.p95Ms, 1),
      n(sat.p99Ms, 1),
      n(sat.maxMs, 1),
      n(sat.neverArrived),
      n(sat.pollMs, 1),
      `${n(sat.verifiedInQuery)} of ${n(sat.arrived)}`,
    ]),
    '',
    ...r.rebuild.attempts.map((a) =>
      a.finished
        ? `Rebuild${a.concurrency ? ` (concurrency ${a.concurrency})` : ''}: ${n(a.applied)} of ${n(a.events)} events replayed into empty read models in ${n(a.seconds, 1)} s = **${n(a.eventsPerSecond)} events/s**; ` +
          `the command took ${n(a.commandSeconds, 1)} s, ${n(a.maxRssMb)} MB resident.`
        : `Rebuild${a.concurrency ? ` (concurrency ${a.concurrency})` : ''} of ${n(a.events)} events **did not finish**: ${a.error}; ` +
          `${a.progressEventsPerSecond ? `about ${n(a.progressEventsPerSecond)} events/s while it ran; ` : ''}streams fully replayed before: ${a.streams.map((st) => `${st.stream} (${n(st.end)} events by ${n(st.atSeconds, 1)} s)`).join(', ') || 'none'}.`,
    ),
    `Write backlog ${r.writes.backlogDrainSeconds >= 0 ? `drained ${n(r.writes.backlogDrainSeconds, 1)} s after the write phases` : `not drained within ${r.options.drainTimeoutS} s after the write phases`}.`,
    '',
  );
  if ('insertOne' in r.ferretdb) {
    const f = r.ferretdb;
    const op = (name: string, c: { sequentialMs: number; concurrentPerSecond: number }) =>
      row([name, n(c.sequentialMs, 2), n(c.concurrentPerSecond)]);
    lines.push(
      row([
        `FerretDB alone (driver, ${f.documents} documents)`,
        'ms/op one at a time',
        `ops/s, ${f.concurrency} in flight`,
      ]),
      row(['---', '---:', '---:']),
      op('insertOne', f.insertOne),
      op('findOne by _id', f.findOneById),
      op('updateOne by _id', f.updateOneById),
      op('find, sort by date, limit 20', f.findPageOf20),
      op('countDocuments', f.countDocuments),
      '',
    );
  } else lines.push(`FerretDB baseline failed: ${r.ferretdb.error}`, '');
  const procs = [...new Set([...Object.keys(r.memory.idle), ...Object.keys(r.memory.underLoad)])];
  lines.push(row(['resident memory (MB)', ...procs]), row(['---', ...procs.map(() => '---:')]));
  lines.push(row(['idle', ...procs.map((p) => n(r.memory.idle[p] ?? NaN))]));
  lines.push(row(['under load (max)', ...procs.map((p) => n(r.memory.underLoad[p] ?? NaN))]));
  lines.push(row(['peak (VmHWM)', ...procs.map((p) => n(r.memory.peak[p] ?? NaN))]), '');

  const usageProcs = [...new Set(Object.values(r.usage).flatMap((u) => Object.keys(u.processes)))];
  lines.push(
    row(['CPU, % of one core', ...usageProcs, 'machine']),
    row(['---', ...usageProcs.map(() => '---:'), '---:']),
  );
  for (const [phase, u] of Object.entries(r.usage)) {
    lines.push(row([phase, ...usageProcs.map((p) => n(u.processes[p]?.cpuPercent ?? NaN)), n(u.machineCpuPercent)]));
  }
  lines.push('', row(['target', 'goal', 'measured', 'met']), row(['---', '---', '---', '---']));
  for (const t of r.targets) lines.push(row([t.target, t.goal, t.value, t.met ? 'yes' : '**no**']));
  return `${lines.join('\n')}\n`;
}
