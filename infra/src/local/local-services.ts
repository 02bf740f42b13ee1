import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where each part listens under `npm start` (in containers every service uses 3000). */
export const defaultPorts: Record<string, number> = {
  gateway: 8080,
  client: 3000,
  auth: 3001,
  posts: 3002,
  comments: 3003,
  moderation: 3004,
  query: 3005,
  nats: 4222,
  mongo: 27017,
  // Mailpit's own defaults: SMTP and the web inbox.
  smtp: 1025,
  inbox: 8025,
};

/** Where each service and the client serve `/metrics` under `npm start` (in containers every one uses 9464). */
export const defaultMetricsPorts: Record<string, number> = {
  auth: 9464,
  posts: 9465,
  comments: 9466,
  moderation: 9467,
  query: 9468,
  client: 9469,
};

export interface ServiceCommand {
  command: string;
  args: string[];
  cwd: string;
  /** Path answering 200 once the service is ready. */
  readinessPath: string;
}

/**
 * V8 settings for every Node process of the platform: a 2 MiB semi-space (the young generation;
 * V8's default is 16 MiB) trims ~12 MB of resident memory per idle service, measured, and more
 * under load, for a few more minor collections. The images set the same in NODE_OPTIONS.
 *
 * A cap on the old space: left alone, V8 lets the heap grow under load long before it collects
 * (measured in the benchmark: services 154–220 MB under load, the client 502 MB; with a 64 MiB
 * cap 100–115 MB, throughput unchanged). The cap is per process, from what each one holds: 64 MiB
 * for most services; query 96 MiB, for its answer cache (QUERY_CACHE_MB, 24 + 6 MB, on top of
 * ~35 MB of code and module sources); the client 192 MiB (Next.js ran out of memory at 64 under
 * the HTML load). Not in the images: there the container's memory limit sizes the heap, and a
 * production read model may need more than a laptop's.
 *
 * What is left (measured 2026-12-08 under the comment write load): ~43 MB of each process's RSS is
 * the `node` executable's own code, mapped from the file and shared by every Node process (RssFile;
 * the proportional share, Pss, of an idle service is 50–58 MB); the rest is private (RssAnon 57–79
 * MB: mostly the heap; loading a service's modules alone leaves 25 MB used, mongoose and its driver
 * 8 of it, express 4, zod and express-validator 2.5 each). Tried and not kept, each A/B twice:
 * `--optimize-for-size` (RSS −7 to −13 MB, but the comments service's CPU per comment +25 %, fewer
 * comments/s); a 1 MiB semi-space (RSS −1 to −4 MB; CPU per comment equal in one pair, +15 % in the
 * other).
 */
export function nodeMemoryFlags(service: string): string[] {
  const oldSpaceMb = service === 'client' ? 192 : service === 'query' ? 96 : 64;
  return ['--max-semi-space-size=2', `--max-old-space-size=${oldSpaceMb}`];
}

/**
 * How to run a built part of the platform, or undefined if it is not built:
 * backend services run their compiled `dist/index.js`; the client runs its
 * server (`client/dist/server/main.js`: Next.js behind the page cache) on its
 * production build.
 */
export function commandFor(root: string, service: string): ServiceCommand | undefined {
  if (service === 'client') {
    const server = join(root, 'client', 'dist', 'server', 'main.js');
    if (!existsSync(join(root, 'client', '.next', 'BUILD_ID')) || !existsSync(server)) return undefined;
    return {
      command: process.execPath,
      args: [...nodeMemoryFlags('client'), server],
      cwd: join(root, 'client'),
      readinessPath: '/healthz',
    };
  }
  const entry = join(root, service, 'dist', 'index.js');
  if (!existsSync(entry)) return undefined;
  return { command: process.execPath, args: [...nodeMemoryFlags(service), entry], cwd: root, readinessPath: '/readyz' };
}
