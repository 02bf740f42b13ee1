import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';
import type { OpenLoadResult, OpenLoadSpec } from './open-load-worker';

/** One autocannon phase: the same settings are used for the ceiling and for the reads. */
export interface LoadSpec {
  url: string;
  connections: number;
  durationS: number;
  warmupS: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Requests cycled through by every connection (e.g. comments spread over several posts). */
  requests?: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string }[];
  /** Replace `[<id>]` in bodies with a unique id per request (titles, comment texts). */
  idReplacement?: boolean;
  /** With `idReplacement`: `[<post>]` in bodies becomes these ids in turn, one per request. */
  postIds?: string[];
  /** Stop after this many requests instead of after `durationS`. */
  amount?: number;
  /** Seconds after which a worker that has not finished is killed (default: duration + warm-up + 60). */
  guardS?: number;
}

export interface LoadResult {
  /** Successful (2xx) responses per second. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  bytesPerSecond: number;
  /**
   * The server answered `Connection: close`: every request opens a new
   * connection, and autocannon's latency figures are then unreliable (they
   * include its reconnection queueing); `littleMeanMs` is the mean latency
   * implied by throughput and concurrency (Little's law) for comparison.
   */
  connectionClose: boolean;
  littleMeanMs: number;
  /** Bytes of the body of one answer before the load (GET phases only). */
  responseBytes?: number;
  /** When the load stopped (epoch ms): requests still in flight then were abandoned by autocannon. */
  endedAtMs: number;
}

const running = new Set<number>();

/** Process ids of the load workers (autocannon, open model) running now (the benchmark counts their CPU as `load`). */
export function runningLoadWorkers(): number[] {
  return [...running];
}

/**
 * A compiled worker of the benchmark (`load-worker.js`, `open-load-worker.js`).
 * Always the built file (also under jest): it must run in a plain `node`
 * process of its own.
 */
export function workerPath(name: string): string {
  const path = join(repositoryRoot(__dirname), 'infra', 'dist', 'bench', name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build first`);
  return path;
}

/** Runs one autocannon phase in a child process and returns its figures. */
export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  // autocannon ends by itself after warm-up + duration (or `amount`); the guard is only against a hang.
  return runWorker('load-worker.js', spec, spec.guardS ?? spec.durationS + spec.warmupS + 60);
}

/** Runs an open-model phase (open-load-worker.ts) in a child process and returns its figures. */
export function runOpenLoad(spec: OpenLoadSpec): Promise<OpenLoadResult> {
  return runWorker('open-load-worker.js', spec, spec.seconds + spec.timeoutS + 60);
}

/** Runs a worker with its spec on its standard input (worker-input.ts); resolves to the JSON of its last line of output. */
function runWorker<T>(name: string, spec: unknown, guardS: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [workerPath(name)], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(JSON.stringify(spec));
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), guardS * 1000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(guard);
      if (pid !== undefined) running.delete(pid);
      const line = stdout.trim().split('\n').pop();
      if (code !== 0 || !line) {
        reject(new Error(`${name} failed (code ${code}): ${stderr.trim()}`));
        return;
      }
      resolve(JSON.parse(line) as T);
    });
  });
}
