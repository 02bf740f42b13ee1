import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { eventually, freePort, testTokenKeys, testUrls, uniqueNamespace } from '@postline/common/testing';

/**
 * The compiled service (`node auth/dist/index.js`, built by `npm test`'s pretest) with
 * OTEL_EXPORTER_OTLP_ENDPOINT set sends its spans to that collector over OTLP/HTTP: the request's
 * server span, in the trace its `traceparent` header named, by the end of a clean shutdown.
 * The collector here is a bare HTTP server that keeps what it receives.
 */
const entry = join(__dirname, '..', 'dist', 'index.js');

it('exports the span of a request to the configured OTLP collector, in the caller’s trace', async () => {
  const received: { url?: string; body: string }[] = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }).listen(0, '127.0.0.1');
  await once(collector, 'listening');
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'silent',
      METRICS_PORT: '0',
      PORT: String(port),
      JWT_PUBLIC_KEY: testTokenKeys.publicKey,
      JWT_PRIVATE_KEY: testTokenKeys.privateKey,
      MONGO_URL: `${testUrls().mongoUrl}/${uniqueNamespace()}-auth`,
      NATS_URL: testUrls().natsUrl,
      EVENTS_NAMESPACE: uniqueNamespace(),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const base = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok, 15_000, 'readyz');
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${base}/api/users/currentuser`, {
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const exported = received.filter((r) => r.url === '/v1/traces').map((r) => r.body);
    expect(exported.length).toBeGreaterThan(0);
    const spans = exported.join('\n');
    expect(spans).toContain(traceId);
    expect(spans).toContain('GET /api/users/currentuser');
    expect(spans).toMatch(/"service\.name","value":\{"stringValue":"auth"\}/);
    // Probes are not traced.
    expect(spans).not.toContain('/readyz');
  } finally {
    child.kill('SIGKILL');
    collector.close();
  }
});
