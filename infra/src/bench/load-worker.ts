/**
 * The load generator, run as its own process (`node load-worker.js`, its spec as JSON on standard input)
 * so that autocannon never shares an event loop with the benchmark's own
 * watchers, and its CPU is counted apart (`load`). Prints one JSON line: the autocannon
 * result reduced to the figures the benchmark reports.
 */
import autocannon from 'autocannon';
import { readSpec } from './worker-input';
import type { LoadSpec, LoadResult } from './load';

let sequence = 0;
const run = Math.random().toString(36).slice(2, 8);

/**
 * autocannon's own `idReplacement` sets Content-Length for 27-character ids
 * but its hyperid ids are 24 characters long, so the servers wait for bytes
 * that never come (autocannon 8.0.0). Replacing `[<id>]` in setupRequest
 * instead lets autocannon measure the real body.
 */
function withUniqueIds(request: NonNullable<LoadSpec['requests']>[number], postIds: string[] = []): autocannon.Request {
  return {
    ...request,
    setupRequest: (req) => {
      const n = sequence++;
      const body = String(request.body ?? '').replace(/\[<id>\]/g, `${run}-${n}`);
      return { ...req, body: postIds.length ? body.replace(/\[<post>\]/g, postIds[n % postIds.length]!) : body };
    },
  };
}

/**
 * One request before the load: whether the server closes the connection after
 * a response (then every request pays a new TCP connection), and how many
 * bytes the answer carries. A GET phase asks for its own URL; a write phase
 * for the post list (the first request must not write anything).
 */
async function probe(url: string, headers?: Record<string, string>): Promise<{ close: boolean; bytes: number }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    const body = await res.arrayBuffer();
    return { close: res.headers.get('connection')?.toLowerCase() === 'close', bytes: body.byteLength };
  } catch {
    return { close: false, bytes: NaN };
  }
}

async function main(): Promise<void> {
  const spec = await readSpec<LoadSpec>();
  const first = spec.requests
    ? await probe(`${spec.url}/api/query/posts?limit=1`)
    : await probe(spec.url, spec.headers);
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    pipelining: 1,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body,
    requests: spec.idReplacement ? spec.requests?.map((r) => withUniqueIds(r, spec.postIds)) : spec.requests,
    ...(spec.amount ? { amount: spec.amount } : {}),
    timeout: 30,
    ...(spec.warmupS > 0 ? { warmup: { connections: spec.connections, duration: spec.warmupS } } : {}),
  });
  const ok = result['2xx'];
  const out: LoadResult = {
    requestsPerSecond: Math.round((ok / Math.max(result.duration, 0.001)) * 10) / 10,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    meanMs: result.latency.mean,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
    bytesPerSecond: result.throughput.average,
    connectionClose: first.close,
    ...(spec.requests ? {} : { responseBytes: first.bytes }),
    endedAtMs: new Date(result.finish).getTime(),
    littleMeanMs:
      Math.round(((spec.connections * 1000) / Math.max(ok / Math.max(result.duration, 0.001), 0.001)) * 100) / 100,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`load worker: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
