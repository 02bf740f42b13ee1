import type { SeenFigures } from './author-view';
import type { BenchResult, ReadResult } from './benchmark';
import type { LatencyResult } from './event-latency';
import type { LoadResult } from './load';
import type { HtmlPageResult } from './pages';
import { pct, SERVICES, type TargetCheck, type TargetKey } from './targets';

const n = (value: number | undefined, digits = 0) =>
  value !== undefined && Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';

/** `{ 504: 3, ECONNRESET: 1 }` → `504: 3, ECONNRESET: 1`. */
const statuses = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([status, count]) => `${status}: ${n(count)}`)
    .join(', ');

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
    row(['target (issue 20)', 'goal', 'measured', 'met']),
    align('llll'),
    ...r.targets.map((t) => row([t.target, t.goal, t.value, t.met ? 'yes' : '**no**'])),
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
  const sc = r.scale;
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
    readRow(`post page (\`GET /api/query/posts/:id\`, ${r.seed.postPageComments} comments)`, rd.postPage),
    readRow('bare Node ceiling: the post page signed in', rd.ceilingPageSignedIn),
    readRow('post page signed in (Bearer; liked, following the author)', rd.postPageSignedIn),
    readRow(
      `at scale: \`GET /api/query/posts?limit=20\``,
      sc.postList,
      'scaleReads',
      `within 10 % of the empty platform's: ${pct(sc.vsEmpty.postList)}`,
    ),
    readRow('at scale: the post page', sc.postPage, 'scaleReads', `within 10 %: ${pct(sc.vsEmpty.postPage)}`),
    '',
    `A post page built on a cache miss (never read before, one at a time, straight to query; ${n(r.cold.commentsPerPage, 1)} comments shown): ` +
      `p50 ${n(r.cold.p50Ms, 2)} ms, mean ${n(r.cold.meanMs, 2)}, max ${n(r.cold.maxMs, 2)} over ${n(r.cold.reads)} pages; ` +
      `at scale (${n(sc.cold.commentsPerPage, 1)} comments shown) p50 **${n(sc.cold.p50Ms, 2)} ms**, mean ${n(sc.cold.meanMs, 2)}, max ${n(sc.cold.maxMs, 2)}. ` +
      `Target: ${goal('scaleCold')} — ${met('scaleCold')}.`,
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
      n(h.load.ceilingRequestsPerSecond),
      n(h.load.ratioOfCeiling, 3),
      `${n(h.signedIn.requestsPerSecond, 1)} / ${n(h.signedIn.p50Ms, 1)} / ${n(h.signedIn.p99Ms, 1)}`,
      n(b.viaGatewayMs, 2),
      n(b.gatewayMs, 2),
      n(b.apiWaitMs, 2),
      n(b.renderMs, 2),
      [notes(h.load), notes(h.signedIn) ? `signed in: ${notes(h.signedIn)}` : ''].filter(Boolean).join('; '),
    ]);
  };
  const fresh = r.html.freshness;
  lines.push(
    row([
      `HTML (Next.js) through the gateway: anonymous ${o.htmlConnections} connections, signed in ${o.htmlSignedInConnections}`,
      'bytes',
      'req/s',
      'p50 ms',
      'p99 ms',
      'ceiling req/s (same bytes)',
      '× ceiling',
      'signed in: req/s / p50 / p99 ms',
      'one request ms',
      'gateway ms',
      'waiting on the API ms',
      "Next.js's own ms",
      '',
    ]),
    align('lrrrrrrrrrrrl'),
    html('home', r.html.home),
    html('post page', r.html.postPage),
    '',
    `Targets: anonymous ${goal('htmlAnonymous')} × ceiling — ${met('htmlAnonymous')}; signed in ${goal('htmlSignedIn')} — ${met('htmlSignedIn')}. ` +
      `A change on the page (read anonymously through the gateway every 20 ms after the change's 201): ` +
      [fresh.postPage, fresh.home]
        .map(
          (f) =>
            `${f.change}: p50 ${n(f.p50Ms, 1)} ms, max ${n(f.maxMs, 1)} ms over ${n(f.samples)}${f.neverShown ? ` (${n(f.neverShown)} never shown)` : ''}`,
        )
        .join('; ') +
      `. Target ${goal('htmlFresh')} — ${met('htmlFresh')}.`,
    '',
    `Where an HTML page's time goes (one connection, quiet platform; means): the API calls each page makes, alone, straight to the service — ` +
      [r.html.home, r.html.postPage]
        .map(
          (h) =>
            `\`${h.path === '/' ? '/' : '/posts/…'}\`: ${h.breakdown.api.map((a) => `${a.call} ${n(a.ms, 2)} ms`).join(', ')}`,
        )
        .join('; ') +
      `. They run concurrently while the page renders, so the page waits about as long as the slowest; the rest is Next.js (routing, React server rendering, streaming). ` +
      `Under load, the CPU table's \`html …\` rows show which process is busy.`,
    '',
  );

  // Comment latency as its author sees it.
  const seen = (x: SeenFigures) =>
    `${n(x.p50Ms, 1)} / ${n(x.p95Ms, 1)} / ${n(x.p99Ms, 1)} / ${n(x.maxMs, 1)}${x.neverSeen ? ` (${n(x.neverSeen)} never)` : ''}`;
  const lat = (name: string, x: LatencyResult, keys: TargetKey[]) =>
    row([
      name,
      n(x.sent),
      n(x.postRate, 1),
      `${n(x.postP50Ms, 1)} / ${n(x.postP99Ms, 1)}`,
      seen(x.author.live),
      seen(x.author.polled),
      `${n(x.author.polled.reads)} (p50 ${n(x.author.polled.readP50Ms, 1)} ms)`,
      `${n(x.author.readers.p50Ms, 1)} / ${n(x.author.readers.p99Ms, 1)} (${n(x.author.readers.open)} of ${n(x.author.readers.streams)} open)`,
      `${n(x.p50Ms, 1)} / ${n(x.p99Ms, 1)}`,
      `${n(x.neverArrived)}${x.failedPosts ? ` (+${n(x.failedPosts)} POSTs failed: ${statuses(x.failures)})` : ''}`,
      `${n(x.backlog.startPending)} → ${n(x.backlog.endPending)} (max ${n(x.backlog.maxPending)}, ${n(x.backlog.slopePerS, 1)}/s)`,
      keys.map((k) => `${goal(k)} ${met(k)}`).join('; '),
    ]);
  const ev = r.eventLatency;
  lines.push(
    row([
      `comment POST → final status as its author sees it (${o.readers} readers' live streams open, the author polling every ${o.pollEveryMs} ms)`,
      'sent',
      'rate/s',
      'POST p50 / p99 ms',
      'live stream p50 / p95 / p99 / max ms',
      'polling p50 / p95 / p99 / max ms',
      'page reads',
      'readers: approved comment pushed p50 / p99 ms',
      'applied by query (ack) p50 / p99 ms',
      'never final in query',
      'consumers pending: start → end',
      'targets',
    ]),
    align('lrrrrrrrrrll'),
    lat(`${ev.steady.targetRate}/s`, ev.steady, ['steadyLive', 'steadyPolled', 'steadyLost']),
    lat(`${ev.burst.targetRate}/s`, ev.burst, ['burstLive', 'burstPolled', 'burstBacklog']),
    lat(`at scale, ${sc.steady.targetRate}/s`, sc.steady, ['scaleLatency']),
    '',
    "Timed from the POST's 201 on the benchmark's clock: **live stream** = the author's own signed-in stream " +
      '(`GET /api/query/live`, as the browser opens it) pushes the comment with its final status; **polling** = an answer of ' +
      '`GET /api/query/posts/:id` through the gateway, as the author, shows it (re-read 5 ms after each answer while one is pending); ' +
      '**applied by query (ack)** = query acknowledged the decision in NATS (ack samples, below), the moment a read could first show it: ' +
      'the gap to the two before it is the delivery (the push, or the read and its cache rebuild).',
    '',
  );
  const hop = (name: string, x: LatencyResult) =>
    row([
      name,
      `${n(x.postP50Ms, 1)} / ${n(x.postP99Ms, 1)}`,
      `${n(x.hops.created.p50Ms, 1)} / ${n(x.hops.created.p99Ms, 1)}`,
      `${n(x.hops.moderated.p50Ms, 1)} / ${n(x.hops.moderated.p99Ms, 1)}`,
      `${n(x.hops.applied.p50Ms, 1)} / ${n(x.hops.applied.p99Ms, 1)}`,
      `${n(x.p50Ms, 1)} / ${n(x.p99Ms, 1)}`,
      `${n(x.author.live.p50Ms, 1)} / ${n(x.author.live.p99Ms, 1)}`,
      `${n(x.timedBySamples)} of ${n(x.arrived)}${Number.isFinite(x.floorLagP50Ms) ? ` (floor ${n(x.floorLagP50Ms, 1)} ms later)` : ''}`,
      `${n(x.verifiedInQuery)} of ${n(x.arrived)}`,
    ]);
  lines.push(
    row([
      "where a comment's time goes, p50 / p99 ms",
      'POST → 201',
      '201 → `comment.created` in NATS',
      '→ `comment.moderated` in NATS',
      '→ applied by query (acked)',
      '201 → applied by query',
      '201 → seen on the live stream',
      'timed by ack samples',
      'verified by a read',
    ]),
    align('lrrrrrrrr'),
    hop(`${ev.steady.targetRate}/s`, ev.steady),
    hop(`${ev.burst.targetRate}/s`, ev.burst),
    hop(`at scale, ${sc.steady.targetRate}/s`, sc.steady),
    '',
    "Each hop's percentiles are its own (they need not add up); NATS stream times have millisecond precision, " +
      'so a hop of a few ms is ±1 ms. A negative first hop: the event was stored before the 201 reached the benchmark.',
    '',
  );

  // Writes.
  const w = r.writes;
  const c = w.catchUp;
  const cpu = w.cpuPerComment;
  const ov = w.overload;
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
    `CPU per comment (the write phase and its catch-up, ${n(cpu.comments)} comments, ${n(cpu.cpuS, 1)} CPU s): **${n(cpu.ms, 2)} ms**, of which ` +
      Object.entries(cpu.byProcess)
        .sort((a, b) => b[1] - a[1])
        .map(([name, v]) => `${name} ${n(v, 2)}`)
        .join(', ') +
      `. Target ${goal('cpuPerComment')} — ${met('cpuPerComment')}.`,
    '',
    row([
      `beyond capacity: ${n(ov.offeredPerSecond)}/s offered (${ov.factor} × ${n(ov.sustainedPerSecond)} req/s) for ${n(ov.seconds, 1)} s, open model`,
      'offered',
      'accepted (2xx)',
      'accepted p50 / p99 ms',
      '503/429',
      'with Retry-After',
      'refused p50 / p99 ms',
      'failed otherwise',
      'accepted and final in query',
      'lost',
    ]),
    align('lrrrrrrlrr'),
    row([
      '`POST /api/comments` through the gateway',
      n(ov.offered),
      n(ov.accepted),
      `${n(ov.acceptedP50Ms, 1)} / ${n(ov.acceptedP99Ms, 1)}`,
      n(ov.refused),
      n(ov.refusedWithRetryAfter),
      `${n(ov.refusedP50Ms, 1)} / ${n(ov.refusedP99Ms, 1)}`,
      statuses(ov.failed) || '0',
      `${n(ov.finalInQuery)} (${n(ov.verifiedInQuery)} shown by a read)`,
      n(ov.lost),
    ]),
    '',
    `Targets: ${['overloadShed', 'overloadAccepted', 'overloadLost'].map((k) => `${goal(k as TargetKey)} — ${met(k as TargetKey)}`).join('; ')}. ` +
      'Times are counted from when each request was due, so time spent waiting for a connection counts.',
    '',
  );

  // Scale.
  const scc = sc.comments;
  lines.push(
    `Scale: ${n(sc.posts.posts)} \`post.created\` events published straight to NATS in ${n(sc.posts.publishSeconds, 1)} s, ` +
      `all listed by query ${n(sc.posts.appliedSeconds, 1)} s after the first (${n(sc.posts.appliedPerSecond)} posts/s); ` +
      `${n(scc.offered)} comments POSTed through the gateway onto them (${o.writeConnections} connections, ${n(scc.written.requestsPerSecond)} req/s, ` +
      `${n(scc.written.ok)} answered 201${scc.written.non2xx + scc.written.errors + scc.written.timeouts ? `, ${n(scc.written.non2xx + scc.written.errors + scc.written.timeouts)} failed` : ''}), ` +
      `${n(scc.final)} of ${n(scc.created)} created final in query after ${n(scc.seconds, 1)} s (${n(scc.finalPerSecond, 1)} comments/s through the whole pipeline); ` +
      `${n(scc.consistentPosts)} of ${n(scc.checkedPosts)} posts read back showed exactly the comments created on them. ` +
      `The first page of the list is the same 20 posts (older posts were added), ${n(sc.postListBytes)} bytes instead of ${n(r.seed.postListBytes)}.`,
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
  return `${lines.join('\n')}\n`;
}
