import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { eventually, freePort, repositoryRoot } from '@postline/common/testing';
import { commandFor } from '../../infra/src/local/local-services';

/**
 * The client's Prometheus metrics (src/server-observability.ts) on the real build, started as
 * `npm start` starts it (its server, `dist/server/main.js`, in client/): pages requested, the HTTP histogram moves under
 * each page's route pattern. No services run: the pages that read one answer their error state,
 * which is counted as any answer.
 */
jest.setTimeout(120_000);

let client: ChildProcess;
let port: number;
let metricsPort: number;
let output = '';

beforeAll(async () => {
  const command = commandFor(repositoryRoot(), 'client');
  if (!command) throw new Error('the client is not built: npm run build -w @postline/client');
  port = await freePort();
  metricsPort = await freePort();
  const nowhere = await freePort(); // nothing listens there: the services "cannot be reached"
  client = spawn(command.command, command.args, {
    cwd: command.cwd,
    env: {
      ...process.env,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      GATEWAY_URL: `http://127.0.0.1:${nowhere}`,
      PUBLIC_URL: 'http://localhost:8080',
      NEXT_TELEMETRY_DISABLED: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  client.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  client.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually(
    async () => {
      if (client.exitCode !== null) throw new Error(`the client exited: ${output}`);
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
    },
    60_000,
    'the client ready',
  );
});

afterAll(async () => {
  if (client && client.exitCode === null) {
    const exited = new Promise((resolve) => client.once('exit', resolve));
    client.kill('SIGTERM');
    await exited;
  }
});

async function scrape(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Requests counted per (method, route, status), from the histogram's _count series. */
function counts(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^postline_http_request_duration_seconds_count\{(.*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [k, v]));
    result.set(`${labels.method} ${labels.route} ${labels.status}`, Number(match[2]));
  }
  return result;
}

/**
 * What moved between two scrapes, page requests only: the set-up's last `/healthz` probe is counted
 * as its response finishes, which may be after the first scrape (a CI rehearsal saw it land there
 * and satisfy the wait below before the feed's 503 did).
 */
function moved(before: string, after: string): Record<string, number> {
  const [was, is] = [counts(before), counts(after)];
  const delta: Record<string, number> = {};
  for (const [key, value] of is)
    if (!key.startsWith('GET /healthz ') && value !== (was.get(key) ?? 0)) delta[key] = value - (was.get(key) ?? 0);
  return delta;
}

it('counts page requests under the route pattern Next.js matched and their status, never the raw path', async () => {
  const before = await scrape();
  const get = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
  expect(await get('/signin')).toBe(200);
  expect(await get('/robots.txt')).toBe(200);
  expect(await get('/no/such/page-x7q')).toBe(404);
  const postStatus = await get('/posts/a-post-slug-x7q');
  const feedStatus = await get('/tags/x7q/feed.xml'); // query cannot be reached: 503, as JSON

  // The histogram is observed as each response finishes: the last may land a moment after its body.
  const after = await eventually(async () => {
    const text = await scrape();
    return Object.values(moved(before, text)).reduce((a, b) => a + b, 0) >= 5 && text;
  });
  expect(moved(before, after)).toEqual({
    'GET /signin 200': 1,
    'GET /robots.txt 200': 1,
    'GET unmatched 404': 1,
    [`GET /posts/[slug] ${postStatus}`]: 1,
    [`GET /tags/[tag]/feed.xml ${feedStatus}`]: 1,
  });
  expect(feedStatus).toBe(503);
  expect(after).not.toContain('x7q');
  expect(after).toContain('# TYPE postline_http_request_duration_seconds histogram\n');
  // The scrape is not a page request: it is not counted.
  expect(moved(after, await scrape())).toEqual({});
});

it('serves nothing else on the metrics port, and no metrics on the public one', async () => {
  expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
  expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
});

/**
 * Next.js runs on the configuration `next build` serialised (server/main.ts), not on next.config.ts
 * compiled at start: SWC's native compiler is never loaded (28 MB resident), and next.config.ts's
 * settings still hold (`poweredByHeader: false`: no `X-Powered-By`).
 */
it('runs Next.js on the built configuration, without loading the SWC compiler', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/signin`);
  await res.arrayBuffer();
  expect(res.status).toBe(200);
  expect(res.headers.get('x-powered-by')).toBeNull();
  const maps = readFileSync(`/proc/${client.pid}/maps`, 'utf8');
  expect(maps).not.toContain('next-swc');
});
