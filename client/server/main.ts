import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import next from 'next';
import { followChangeNotices } from './change-notices';
import { frontDoor } from './front-door';
import { PageCache } from './page-cache';
import { pageFillTokenEnv } from './security-headers';

/**
 * The client's server in production (`npm run start -w @postline/client`, the container's command):
 * Next.js (`next start`'s server, through its custom-server API) behind the page cache
 * (front-door.ts), which follows the query service's change notices over NATS. Reads PORT (3000),
 * NATS_URL, NATS_USER, NATS_PASSWORD and EVENTS_NAMESPACE as the services do, and everything `next start` reads.
 */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  // A secret of this process: what marks the cache's own renders (front-door.ts, src/proxy.ts).
  const fillToken = randomBytes(24).toString('base64url');
  process.env[pageFillTokenEnv] = fillToken;

  const dir = resolve(__dirname, '..', '..');
  useBuiltConfig(dir);
  const app = next({ dev: false, dir, port });
  await app.prepare();
  const handle = app.getRequestHandler();

  const log = (level: 'info' | 'warn' | 'error', message: string, err?: unknown) =>
    console[level](JSON.stringify({ level, msg: message, ...(err ? { err: String(err) } : {}) }));

  const cache = new PageCache({ maxEntries: 2_000, maxBytes: 32 * 1024 * 1024 });
  const door = frontDoor({
    cache,
    origin: (): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fillToken,
    next: (req, res) => handle(req, res),
    onError: (err, url) => log('warn', `page cache: rendering ${url} failed, rendered per request`, err),
  });
  const server: Server = createServer((req, res) => {
    // On every response of this server (pages, feeds, Next.js' static chunks, 304s), whatever answers it.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    return door(req, res);
  });
  await new Promise<void>((done) => server.listen(port, done));
  log('info', `client listening on port ${(server.address() as AddressInfo).port}`);

  // Not awaited: pages are rendered per request until the subscription is in place.
  const notices = followChangeNotices(cache, {
    url: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    namespace: process.env.EVENTS_NAMESPACE ?? '',
    user: process.env.NATS_USER,
    password: process.env.NATS_PASSWORD,
    log,
  });
  notices.catch((err: unknown) => log('error', 'change notices unavailable: page cache off', err));

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    void notices.then((c) => c.close()).catch(() => undefined);
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * Hands Next.js the configuration `next build` serialised (`.next/required-server-files.json`), as
 * the server of Next.js' own standalone output does. Otherwise Next.js compiles next.config.ts at
 * start with SWC, whose native compiler then stays mapped for the process's life: 28 MB of resident
 * memory (measured: 105 → 77 MB after start) for a compiler a production server never uses again.
 */
function useBuiltConfig(dir: string): void {
  const built = JSON.parse(readFileSync(join(dir, '.next', 'required-server-files.json'), 'utf8')) as {
    config: unknown;
  };
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(built.config);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
