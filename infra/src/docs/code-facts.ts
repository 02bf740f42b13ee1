import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSubject, serviceEnvSchema, type Subject } from '@postline/common';
import { repositoryRoot, testTokenKeys } from '@postline/common/testing';
import { loadRouteTable, serviceNames } from '../route-table';

/**
 * Facts the architecture document states, read from the code itself, so that a test can hold
 * the document to them. Each reader names the one pattern it relies on, the way every service
 * declares routes, events and handlers today; code written another way is not seen (a route or
 * subject the document then names is reported as one the code lacks).
 */
export const root = repositoryRoot(__dirname);

/** The files git tracks (that exist: one deleted and not yet committed is left out), relative to the root. */
export function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && existsSync(join(root, file)));
}

/** The backend services: every service of the route table but the client. */
export function backendServices(): string[] {
  return serviceNames(loadRouteTable()).filter((service) => service !== 'client');
}

/** A service's own source files: TypeScript under `src/`, without tests and test helpers. */
function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return []; // auth has no event listeners
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every match of `pattern` in the files, as its capture groups (those that took part). */
function matchesIn(files: string[], pattern: RegExp): string[][] {
  return files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(pattern)].map((m) => m.slice(1).filter((g) => g !== undefined)),
  );
}

export interface HttpRoute {
  method: string;
  /** The public path: the service's prefix and the router's path (`/api/posts/:id/like`). */
  path: string;
  service: string;
}

/** Every route a service's `entry-points/http` declares as `router.<method>('<path>', …)`. */
export function httpRoutes(): HttpRoute[] {
  const prefixes = new Map(loadRouteTable().map((r) => [r.service, r.prefix]));
  return backendServices().flatMap((service) =>
    matchesIn(
      sourceFiles(join(root, service, 'src', 'entry-points', 'http')),
      /\brouter\.(get|post|put|patch|delete)\(\s*'([^']*)'/g,
    ).map(([method = '', path = '']) => ({
      method: method.toUpperCase(),
      path: `${prefixes.get(service)}${path === '/' ? '' : path}`,
      service,
    })),
  );
}

/** Subject → the services whose code writes an event of it (`subject: '<subject>'`, the outbox writer's input). */
export function publishersBySubject(): Map<Subject, string[]> {
  return bySubject((service) =>
    matchesIn(sourceFiles(join(root, service, 'src')), /\bsubject:\s*'([a-z]+\.[a-z]+)'/g).map(([s = '']) => s),
  );
}

/**
 * Subject → the services that handle it: `listener.on('<subject>', …)` in `entry-points/events`,
 * or a handler map keyed by subject there (`'<subject>': async (event) => …`, query's).
 */
export function consumersBySubject(): Map<Subject, string[]> {
  return bySubject((service) =>
    matchesIn(
      sourceFiles(join(root, service, 'src', 'entry-points', 'events')),
      /(?:\.on\(\s*'([a-z]+\.[a-z]+)'|^\s*'([a-z]+\.[a-z]+)':\s*(?:async\s*)?\()/gm,
    ).map(([s = '']) => s),
  );
}

function bySubject(found: (service: string) => string[]): Map<Subject, string[]> {
  const result = new Map<Subject, string[]>();
  for (const service of backendServices()) {
    for (const subject of new Set(found(service))) {
      if (!isSubject(subject)) throw new Error(`${service} names "${subject}", which is not in the catalogue`);
      result.set(subject, [...(result.get(subject) ?? []), service]);
    }
  }
  return result;
}

/** A variable's default as the document writes it: the value, `required`, or `none`. */
export function defaultText(value: unknown, required = false): string {
  if (required) return 'required';
  return value === undefined || value === '' ? 'none' : String(value);
}

/** The variables every service reads (common's `serviceEnvSchema`) with their defaults. */
export function sharedVariables(): Map<string, string> {
  return new Map(
    Object.entries(serviceEnvSchema.shape).map(([name, schema]) => {
      const parsed = (schema as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse(undefined);
      return [name, defaultText(parsed.data, !parsed.success)];
    }),
  );
}

export interface ServiceVariable {
  default: string;
  services: string[];
}

/**
 * The variables some services read beyond the shared ones: the keys their configuration has
 * once loaded with only the required variables set (so with every default), and the variables
 * their code reads from the environment by name (`env.X`, moderation's rules: no default).
 */
export async function serviceVariables(): Promise<Map<string, ServiceVariable>> {
  const shared = new Set(Object.keys(serviceEnvSchema.shape));
  const result = new Map<string, ServiceVariable>();
  const add = (name: string, value: string, service: string) => {
    const known = result.get(name);
    if (known && known.default !== value) throw new Error(`${name} has two defaults: ${known.default} and ${value}`);
    result.set(name, { default: value, services: [...(known?.services ?? []), service] });
  };
  for (const service of backendServices()) {
    // Loaded at run time by path: infra does not depend on the services it describes.
    const module = (await import(join(root, service, 'src', 'config.ts'))) as Record<string, unknown>;
    const schema = Object.values(module).find(
      (value): value is { load(env: Record<string, string>): Record<string, unknown> } =>
        typeof (value as { load?: unknown })?.load === 'function',
    );
    if (!schema) throw new Error(`${service}/src/config.ts exports no configuration schema`);
    // The variables a service cannot start without; any of them not shared is the service's own, `required`.
    const required: Record<string, string> = {
      JWT_PUBLIC_KEY: testTokenKeys.publicKey,
      JWT_PRIVATE_KEY: testTokenKeys.privateKey,
      MONGO_URL: 'mongodb://127.0.0.1:1',
    };
    const config = schema.load(required);
    const own = new Map<string, string>();
    for (const [name, value] of Object.entries(config)) {
      if (/^[A-Z][A-Z0-9_]+$/.test(name) && !shared.has(name)) own.set(name, defaultText(value, name in required));
    }
    for (const [name = ''] of matchesIn(sourceFiles(join(root, service, 'src')), /\benv\.([A-Z][A-Z0-9_]+)\b/g)) {
      if (!shared.has(name) && !own.has(name)) own.set(name, 'none');
    }
    for (const [name, value] of own) add(name, value, service);
  }
  return result;
}
