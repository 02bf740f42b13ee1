/**
 * An open-model load generator, run as its own process (`node
 * open-load-worker.js`, its spec on standard input) like load-worker.ts: each request leaves at
 * its scheduled time (`rate` per second for `seconds`) whatever the earlier
 * ones are doing, so a platform that queues cannot slow the arrivals down
 * (autocannon's connections can: a closed model). Each answer's time is
 * counted from its scheduled time. Prints one JSON line (OpenLoadResult).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './process-stats';
import { readSpec } from './worker-input';

export interface OpenLoadSpec {
  /** Origin, e.g. the gateway. */
  url: string;
  rate: number;
  seconds: number;
  /** Cycled through in order; `[<id>]` in a body becomes a unique id. */
  requests: { method: 'POST'; path: string; headers: Record<string, string>; body: string; postId: string }[];
  /** A request still unanswered this long after it was sent is counted as a timeout. */
  timeoutS: number;
  /** Sockets open at most (requests beyond wait for one, their wait counted in their time). */
  maxSockets: number;
}

export interface OpenLoadResult {
  offered: number;
  /** Seconds over which the requests were sent (≈ `seconds` unless the generator fell behind). */
  offeredSeconds: number;
  /** Status code (or `error`, `timeout`) → count. */
  statuses: Record<string, number>;
  /** 2xx answers: the created resource's id, when the answer came (epoch ms) and its time from the schedule (ms). */
  accepted: { id: string; postId: string; answeredAt: number; ms: number }[];
  acceptedP50Ms: number;
  acceptedP99Ms: number;
  /** 503 and 429 answers: how many, how many carried `Retry-After`, and how fast they came. */
  refused: number;
  refusedWithRetryAfter: number;
  refusedP50Ms: number;
  refusedP99Ms: number;
}

/** Epoch ms with sub-millisecond precision (the benchmark's clock: `epochMs` in event-latency.ts). */
const epochOffset = Date.now() - performance.now();

async function main(): Promise<void> {
  const spec = await readSpec<OpenLoadSpec>();
  const origin = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.maxSockets });
  const run = Math.random().toString(36).slice(2, 8);
  const total = Math.max(1, Math.round(spec.rate * spec.seconds));
  const statuses: Record<string, number> = {};
  const accepted: OpenLoadResult['accepted'] = [];
  const refusedMs: number[] = [];
  let refusedWithRetryAfter = 0;
  const count = (key: string) => (statuses[key] = (statuses[key] ?? 0) + 1);

  const send = (i: number, due: number) =>
    new Promise<void>((settle) => {
      // One outcome per request: a timeout destroys the request, which then also reports an error.
      let done = false;
      const resolve = (outcome?: string) => {
        if (done) return;
        done = true;
        if (outcome) count(outcome);
        settle();
      };
      const template = spec.requests[i % spec.requests.length]!;
      const body = template.body.replace(/\[<id>\]/g, `${run}-${i}`);
      const req = request(
        {
          agent,
          host: origin.hostname,
          port: origin.port,
          method: template.method,
          path: template.path,
          headers: { ...template.headers, 'Content-Length': Buffer.byteLength(body) },
          timeout: spec.timeoutS * 1000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const now = performance.now();
            const status = res.statusCode ?? 0;
            if (done) return;
            count(String(status));
            if (status >= 200 && status < 300) {
              try {
                const id = String((JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id);
                accepted.push({ id, postId: template.postId, answeredAt: epochOffset + now, ms: now - due });
              } catch {
                // a 2xx without an id: counted, not followed
              }
            } else if (status === 503 || status === 429) {
              refusedMs.push(now - due);
              if (res.headers['retry-after'] !== undefined) refusedWithRetryAfter++;
            }
            resolve();
          });
          res.on('error', () => resolve('error'));
        },
      );
      req.on('timeout', () => {
        resolve('timeout');
        req.destroy();
      });
      req.on('error', () => resolve('error'));
      req.end(body);
    });

  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / spec.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(i, due));
  }
  const offeredSeconds = (performance.now() - start) / 1000;
  await Promise.all(inFlight);
  agent.destroy();
  const ok = accepted.map((a) => a.ms).sort((a, b) => a - b);
  refusedMs.sort((a, b) => a - b);
  const r1 = (n: number) => Math.round(n * 10) / 10;
  const result: OpenLoadResult = {
    offered: total,
    offeredSeconds: r1(offeredSeconds),
    statuses,
    accepted,
    acceptedP50Ms: r1(percentile(ok, 50)),
    acceptedP99Ms: r1(percentile(ok, 99)),
    refused: refusedMs.length,
    refusedWithRetryAfter,
    refusedP50Ms: r1(percentile(refusedMs, 50)),
    refusedP99Ms: r1(percentile(refusedMs, 99)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`open load worker: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
