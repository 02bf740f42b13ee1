/**
 * What tracing costs, off and on: `node infra/dist/bench/tracing-overhead.js` (after `npx tsc -b`).
 * A micro-benchmark on its own (not part of `npm run bench`): prints figures, asserts nothing.
 *
 * - Per event, in this process: what the event path adds around a publish and a handled message
 *   (the producer span and its headers, the consumer span, the `traceparent` kept with a written
 *   event), the publish and the handler themselves doing nothing.
 * - Per request: a bare `http` server (this file, as a child process) answering `ok` after a little
 *   asynchronous work, loaded by autocannon from here: off; on with every trace dropped by the
 *   sampler (what is left is the instrumentation and the async-local context); on, every request
 *   traced and sent in batches over OTLP/HTTP to a collector that only drains them.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { headers } from '@nats-io/transport-node';
import { currentTraceparent, startTracing, stopTracing, traceConsume, tracePublish } from '@postline/common';
import autocannon from 'autocannon';

const EVENTS = 100_000;
const LOAD_SECONDS = 5;
const publishFields = { service: 'bench', subject: 'comment.created', destination: 'comment.created', messageId: 'x' };
const consumeFields = { ...publishFields, deliveryCount: 1 };

/** The same publish and handling with no tracing code around them: what the others are compared with. */
async function bareEventPath(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i++) {
    await (async () => undefined)();
    await (async () => undefined)();
  }
  return Number(process.hrtime.bigint() - started) / EVENTS;
}

async function eventPath(): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < EVENTS; i++) {
    const traceparent = currentTraceparent();
    let sent: ReturnType<typeof headers> | undefined;
    await tracePublish({ ...publishFields, traceparent }, headers, async (h) => {
      sent = h;
    });
    await traceConsume(consumeFields, sent, async () => undefined);
  }
  return Number(process.hrtime.bigint() - started) / EVENTS;
}

/** The child: serves until killed, tracing as the environment says (like a service). */
async function serve(): Promise<void> {
  startTracing({ serviceName: 'bench', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT });
  const server = createServer(async (_req, res) => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    res.end('ok');
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.send!((server.address() as AddressInfo).port);
}

async function requestsPerSecond(env: Record<string, string>): Promise<number> {
  const child = fork(__filename, ['serve'], { env: { ...process.env, ...env } });
  try {
    const [port] = (await once(child, 'message')) as [number];
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/api/posts`,
      connections: 10,
      duration: LOAD_SECONDS,
    });
    return result.requests.average;
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const collector = createServer((req, res) => req.resume().on('end', () => res.end('{}'))).listen(0, '127.0.0.1');
  await once(collector, 'listening');
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

  await bareEventPath(); // warm-up
  const bare = await bareEventPath();
  await eventPath();
  const off = await eventPath();
  startTracing({ serviceName: 'bench', otlpEndpoint: endpoint });
  await eventPath();
  const on = await eventPath();
  await stopTracing();

  const requests = {
    off: await requestsPerSecond({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }),
    unsampled: await requestsPerSecond({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_SAMPLER: 'always_off' }),
    traced: await requestsPerSecond({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_SAMPLER: 'always_on' }),
  };
  collector.close();

  const ns = (v: number) => `${v.toFixed(0)} ns`.padStart(9);
  // The server is one saturated process: 1/throughput is its time per request.
  const perRequest = (rps: number) => `${Math.round(rps)} req/s, ${(1e6 / rps).toFixed(0)} µs of server time each`;
  console.log(`Node ${process.version}; ${EVENTS} events; ${LOAD_SECONDS} s of load at 10 connections per mode`);
  console.log(`event path, no tracing code     ${ns(bare)}`);
  console.log(`event path, tracing off         ${ns(off)}`);
  console.log(`event path, tracing on          ${ns(on)}`);
  console.log(`requests, tracing off           ${perRequest(requests.off)}`);
  console.log(`requests, on, none sampled      ${perRequest(requests.unsampled)}`);
  console.log(`requests, on, all traced        ${perRequest(requests.traced)}`);
}

if (process.argv[2] === 'serve') void serve();
else void main();
