import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { freePort } from '@postline/common/testing';
import { loadRouteTable } from '../route-table';
import { startGateway } from './gateway';

/** A stand-in upstream that reports what it received. */
async function echoService(name: string): Promise<{ origin: string; server: Server }> {
  const app = express();
  app.get('/slow', async (_req, res) => {
    await new Promise((r) => setTimeout(r, 2_000));
    res.json({ late: true });
  });
  app.use((req, res) => {
    res.json({
      service: name,
      method: req.method,
      url: req.originalUrl,
      requestId: req.headers['x-request-id'],
      forwardedFor: req.headers['x-forwarded-for'],
    });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the local gateway', () => {
  const servers: Server[] = [];
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let base: string;

  beforeAll(async () => {
    const auth = await echoService('auth');
    const client = await echoService('client');
    servers.push(auth.server, client.server);
    gateway = await startGateway({
      port: 0,
      routes: loadRouteTable(),
      upstreams: { auth: auth.origin, client: client.origin, posts: `http://127.0.0.1:${await freePort()}` },
      logger: pino({ level: 'silent' }),
      upstreamTimeoutMs: 500,
    });
    base = `http://127.0.0.1:${gateway.port}`;
  });

  afterAll(async () => {
    await gateway.close();
    for (const server of servers) server.close();
  });

  it('proxies each prefix to its service with path, query, request id and client address', async () => {
    const res = await fetch(`${base}/api/users/currentuser?x=1`);
    const body = (await res.json()) as { requestId: string };
    expect(body).toMatchObject({
      service: 'auth',
      method: 'GET',
      url: '/api/users/currentuser?x=1',
      forwardedFor: expect.stringContaining('127.0.0.1'),
    });
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    expect(await (await fetch(`${base}/posts/some-slug`)).json()).toMatchObject({
      service: 'client',
      url: '/posts/some-slug',
    });
  });

  it('keeps a caller-supplied request id', async () => {
    const res = await fetch(`${base}/api/users/x`, { headers: { 'X-Request-Id': 'from-the-edge-123' } });
    expect(((await res.json()) as { requestId: string }).requestId).toBe('from-the-edge-123');
  });

  it('answers an unknown /api path with a JSON 404 instead of handing it to the client', async () => {
    for (const path of ['/api/nothing', '/api', '/api/usersx']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ errors: [{ message: `No route for GET ${path}` }] });
    }
  });

  it('answers 502 at once for a service that is down, 503 for one not running, 504 for one too slow', async () => {
    const started = Date.now();
    const down = await fetch(`${base}/api/posts/1`);
    expect(down.status).toBe(502);
    expect(await down.json()).toEqual({ errors: [{ message: 'Upstream service unavailable' }] });
    expect(Date.now() - started).toBeLessThan(2_000);

    const notRunning = await fetch(`${base}/api/query/posts`);
    expect(notRunning.status).toBe(503);
    expect(await notRunning.json()).toEqual({ errors: [{ message: 'query is not running' }] });

    const timedOut = await fetch(`${base}/slow`);
    expect(timedOut.status).toBe(504);
    expect(await timedOut.json()).toEqual({ errors: [{ message: 'Upstream service timed out' }] });
  });
});
