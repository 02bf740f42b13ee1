import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, isListening } from '@postline/common/testing';
import { loadRouteTable } from '../route-table';
import { startGateway, type Gateway } from './gateway';
import { childPids } from './processes';

/** A real upstream on a free port that reports what it received and counts its TCP connections. */
async function upstream(name: string, handle?: (req: IncomingMessage, res: ServerResponse) => boolean) {
  const seen = { connections: 0, requests: 0 };
  const server = createServer((req, res) => {
    seen.requests++;
    if (handle?.(req, res)) return;
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        service: name,
        method: req.method,
        url: req.url,
        headers: req.headers,
      }),
    );
  });
  server.on('connection', () => seen.connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, seen, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Echo {
  service: string;
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
}

/** A GET with the path exactly as given (fetch would normalise it). */
function rawGet(url: string): Promise<{ status: number; type?: string; text: string }> {
  const { port, pathname } = new URL(url.replace(/%/g, '%25'));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: decodeURIComponent(pathname) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the local gateway (nginx)', () => {
  const servers: Server[] = [];
  let gateway: Gateway;
  let base: string;
  let auth: Awaited<ReturnType<typeof upstream>>;
  let endStream: () => void = () => undefined;
  let streamEnded = false;

  beforeAll(async () => {
    auth = await upstream('auth');
    const client = await upstream('client');
    // comments: a slow answer and an event stream that stays open until the test lets it end.
    const comments = await upstream('comments', (req, res) => {
      if (req.url === '/api/comments/slow') {
        // Unref'd: the gateway gives up long before, and the test run must not wait for it.
        setTimeout(() => res.end('{"late":true}'), 2_000).unref();
        return true;
      }
      if (req.url === '/api/comments/sniffed') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
        res.end('{}');
        return true;
      }
      if (req.url === '/api/comments/live') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.write('data: first\n\n');
        endStream = () => {
          streamEnded = true;
          res.end('data: last\n\n');
        };
        return true;
      }
      return false;
    });
    servers.push(auth.server, client.server, comments.server);
    gateway = await startGateway({
      port: 0,
      routes: loadRouteTable(),
      upstreams: {
        auth: auth.origin,
        client: client.origin,
        comments: comments.origin,
        posts: `http://127.0.0.1:${await freePort()}`, // nothing listens there
        // query and moderation are not running
      },
      upstreamTimeoutMs: 500,
    });
    base = `http://127.0.0.1:${gateway.port}`;
  });

  afterAll(async () => {
    await gateway?.close();
    for (const server of servers) server.closeAllConnections();
    for (const server of servers) server.close();
  });

  const expectJsonError = async (res: Response, status: number, message: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.json()).toEqual({ errors: [{ message }] });
  };

  it('says nosniff once on every answer: proxied with or without it, and its own errors', async () => {
    for (const path of ['/api/users/x', '/', '/api/comments/sniffed'])
      expect([path, (await fetch(`${base}${path}`)).headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
  });

  it('routes each prefix to its service, element-wise, with path and query unchanged', async () => {
    const cases: [path: string, service: string][] = [
      ['/api/users/currentuser?x=1', 'auth'],
      ['/api/users', 'auth'],
      ['/posts/some-slug', 'client'],
      ['/', 'client'],
    ];
    for (const [path, service] of cases) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ service, method: 'GET', url: path });
    }
  });

  it('passes the client address, scheme and host on, and an empty Connection (keep-alive) header', async () => {
    const { headers } = (await (await fetch(`${base}/api/users/x`)).json()) as Echo;
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(`127.0.0.1:${gateway.port}`);
    expect(headers.host).toBe(`127.0.0.1:${gateway.port}`);
    expect(headers.connection).toBeUndefined();
  });

  it('generates a request id, sends it upstream and returns it; keeps a sane caller-supplied one', async () => {
    const generated = await fetch(`${base}/api/users/x`);
    const id = generated.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(((await generated.json()) as Echo).headers['x-request-id']).toBe(id);

    const kept = await fetch(`${base}/api/users/x`, { headers: { 'X-Request-Id': 'from-the-edge-123' } });
    expect(kept.headers.get('x-request-id')).toBe('from-the-edge-123');
    expect(((await kept.json()) as Echo).headers['x-request-id']).toBe('from-the-edge-123');

    // One the services would not accept is replaced, so every hop logs the same id.
    const replaced = await fetch(`${base}/api/users/x`, { headers: { 'X-Request-Id': 'a b' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    await replaced.body?.cancel();
  });

  it('answers an /api path no route claims with a JSON 404 instead of handing it to the client', async () => {
    for (const path of ['/api/nothing', '/api', '/api/usersx', '/api/']) {
      await expectJsonError(await fetch(`${base}${path}`), 404, `No route for GET ${path}`);
    }
  });

  it('answers a request line nginx cannot parse (bad percent-encoding, NUL) with a JSON 400, not an HTML 500', async () => {
    // nginx refuses these while reading the request line, before it has a URI: an error page in a
    // named location cannot be reached from there (it answered its own HTML 500).
    for (const path of ['/api/posts/%ZZ', '/api/posts/%', '/api/users/%E0%A4%A', '/api/posts/abc%00', '/%ZZ']) {
      const res = await rawGet(`${base}${path}`);
      expect({ path, status: res.status, type: res.type }).toEqual({ path, status: 400, type: 'application/json' });
      expect(JSON.parse(res.text)).toEqual({ errors: [{ message: 'Bad request' }] });
    }
  });

  it('answers a body over 1 MB with a JSON 413 without passing it on', async () => {
    const before = auth.seen.requests;
    const res = await fetch(`${base}/api/users/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ bio: 'x'.repeat(1_100_000) }),
    });
    await expectJsonError(res, 413, 'Request body too large');
    expect(auth.seen.requests).toBe(before);
  });

  it('answers 502 at once for a service that is down, 503 for one not running, 504 for one too slow', async () => {
    const started = Date.now();
    await expectJsonError(await fetch(`${base}/api/posts/1`), 502, 'Upstream service unavailable');
    expect(Date.now() - started).toBeLessThan(1_000);
    await expectJsonError(await fetch(`${base}/api/query/posts`), 503, 'query is not running');
    await expectJsonError(await fetch(`${base}/api/moderation/queue`), 503, 'moderation is not running');
    await expectJsonError(await fetch(`${base}/api/comments/slow`), 504, 'Upstream service timed out');
  });

  it('streams an event stream unbuffered: the first event arrives while the upstream keeps it open', async () => {
    const res = await fetch(`${base}/api/comments/live`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event within 400 ms')), 400)),
    ]);
    expect(Buffer.from(first.value!).toString()).toContain('data: first');
    expect(streamEnded).toBe(false);
    endStream();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += Buffer.from(chunk.value).toString();
    }
    expect(rest).toContain('data: last');
  });

  it('reuses upstream connections', async () => {
    const before = { ...auth.seen };
    for (let i = 0; i < 30; i++) await (await fetch(`${base}/api/users/x`)).arrayBuffer();
    expect(auth.seen.requests - before.requests).toBe(30);
    // At most one new connection per nginx worker, not one per request.
    expect(auth.seen.connections - before.connections).toBeLessThanOrEqual(2);
  });

  it('keeps everything in its run directory and stops leaving no nginx process or listener behind', async () => {
    const conf = readFileSync(`${gateway.runDir}/nginx.conf`, 'utf8');
    expect(conf).not.toMatch(/\/etc\/nginx|\/var\/log\/nginx|\/var\/lib\/nginx/);
    expect(existsSync(`${gateway.runDir}/error.log`)).toBe(true);
    const pids = [gateway.pid, ...childPids(gateway.pid)];
    expect(pids.length).toBeGreaterThan(1); // the master and its workers
    await gateway.close();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(await isListening(gateway.port)).toBe(false);
    expect(existsSync(gateway.runDir)).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the local gateway past its writes in flight', () => {
  const held: ServerResponse[] = [];
  let gateway: Gateway;
  let base: string;
  let comments: Awaited<ReturnType<typeof upstream>>;

  beforeAll(async () => {
    // Writes wait until the test answers them; reads answer at once.
    comments = await upstream('comments', (req, res) => {
      if (req.method !== 'POST') return false;
      held.push(res);
      return true;
    });
    gateway = await startGateway({
      port: 0,
      routes: loadRouteTable(),
      upstreams: { comments: comments.origin },
      maxWritesInFlight: 2,
    });
    base = `http://127.0.0.1:${gateway.port}`;
  });

  afterAll(async () => {
    await gateway?.close();
    comments.server.closeAllConnections();
    comments.server.close();
  });

  const post = () => fetch(`${base}/api/comments`, { method: 'POST', body: '{}' });

  it('answers a write past the limit with 503 and Retry-After at once, without passing it on; reads still pass', async () => {
    const accepted = [post(), post()];
    while (held.length < 2) await new Promise((r) => setTimeout(r, 10));

    const refused = await post();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(await refused.json()).toEqual({ errors: [{ message: 'Service unavailable' }] });
    expect(comments.seen.requests).toBe(2);
    expect((await fetch(`${base}/api/comments/1`)).status).toBe(200);

    for (const res of held.splice(0)) res.end('{}');
    expect((await Promise.all(accepted)).map((res) => res.status)).toEqual([200, 200]);
    // Their places are free again.
    const next = post();
    while (held.length < 1) await new Promise((r) => setTimeout(r, 10));
    held.splice(0).forEach((res) => res.end('{}'));
    expect((await next).status).toBe(200);
  });
});
