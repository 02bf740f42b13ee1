/**
 * Why the gateway reaches only a few % of the bare-Node ceiling: it proxies
 * without a keep-alive agent, so each upstream request opens a connection and
 * http-proxy passes the upstream's `Connection: close` on to the client,
 * which then reconnects for every request. This runs the same
 * http-proxy-middleware setup in front of the bare server with and without a
 * keep-alive agent. `node infra/dist/bench/gateway-keepalive-experiment.js`
 * (evidence for the benchmark's findings; the gateway itself is not changed here).
 */
import { spawn } from 'node:child_process';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { freePort, repositoryRoot } from '@postline/common/testing';
import { runLoad } from './load';

async function main(): Promise<void> {
  const bytes = join(tmpdir(), `postline-keepalive-${process.pid}.json`);
  writeFileSync(bytes, JSON.stringify({ posts: [], page: 1, limit: 20, total: 0, totalPages: 0 }));
  const port = await freePort();
  const bare = spawn(
    process.execPath,
    [join(repositoryRoot(__dirname), 'infra', 'dist', 'bench', 'bare-server.js'), bytes, String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise((r) => bare.stdout!.once('data', r));
  const settings = { connections: 10, durationS: Number(process.env.BENCH_DURATION_S ?? 5), warmupS: 1 };
  try {
    const direct = await runLoad({ ...settings, url: `http://127.0.0.1:${port}/` });
    process.stdout.write(`direct: ${JSON.stringify(direct)}\n`);
    for (const keepAlive of [false, true]) {
      const app = express();
      app.use(
        createProxyMiddleware<IncomingMessage, ServerResponse>({
          target: `http://127.0.0.1:${port}`,
          ...(keepAlive ? { agent: new Agent({ keepAlive: true }) } : {}),
        }),
      );
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const result = await runLoad({ ...settings, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
      process.stdout.write(`proxy, keepAlive=${keepAlive}: ${JSON.stringify(result)}\n`);
      await new Promise((r) => server.close(r));
    }
  } finally {
    bare.kill('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
