import { subscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import {
  httpRequestDuration,
  loadObservabilityConfig,
  serveMetrics,
  startTracing,
  unmatchedRoute,
} from '@postline/common/observability';
import { pageFillHeader } from '../server/security-headers';

/**
 * The client's metrics and traces, as every service has them (infra/k8s/README.md, "Metrics" and
 * "Traces"); started once per server process by src/instrumentation.ts, never in the browser.
 *
 * Metrics: `postline_http_request_duration_seconds` (common's definition) on `GET /metrics` at
 * METRICS_PORT (9464 by default, as the services). Requests are timed from Node's own HTTP
 * diagnostics channels, which see every request `next start` serves without patching anything, and
 * labelled with the route pattern Next.js matched (`/posts/[slug]`, from the build's routes
 * manifest), never the raw path.
 *
 * Traces: with OTEL_EXPORTER_OTLP_ENDPOINT set, common's tracing set-up (a server span per
 * request, its `traceparent` read from the request); the server-side fetches to the services send
 * the active context on (src/lib/server-api.ts). Unset: off, nothing loaded.
 */
export async function startServerObservability(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { METRICS_PORT: port, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } = loadObservabilityConfig(env);
  const routeOf = routeMatcher(join(process.cwd(), '.next'));
  if (endpoint) {
    // Server spans named after the page's route pattern, as the services' are after theirs.
    startTracing({
      serviceName: 'client',
      otlpEndpoint: endpoint,
      routeOf: (path) => {
        const route = routeOf(path);
        return route === unmatchedRoute ? undefined : route;
      },
    });
  }

  const registry = new Registry();
  const duration = httpRequestDuration(registry);
  const started = new WeakMap<IncomingMessage, ReturnType<typeof duration.startTimer>>();
  // eslint-disable-next-line prefer-const -- assigned once the server listens; the channels run before.
  let metricsServer: Server | undefined;

  subscribe('http.server.request.start', (message) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    // The page cache's own renders are part of the reader's request that missed (timed as a whole), not requests.
    if (server !== metricsServer && request.headers[pageFillHeader] === undefined)
      started.set(request, duration.startTimer());
  });
  subscribe('http.server.response.finish', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const end = started.get(request);
    if (!end) return;
    started.delete(request);
    const path = (request.url ?? '/').split('?')[0]!;
    end({
      method: request.method ?? 'GET',
      route: routeOf(path),
      status: String(response.statusCode),
    });
  });

  metricsServer = await serveMetrics(registry, port, (err) => console.error('metrics: scrape failed', err));
}

interface RoutesManifest {
  staticRoutes?: { page: string; regex: string }[];
  dynamicRoutes?: { page: string; regex: string }[];
}

/**
 * Path → the route pattern of the page or route handler serving it (the build's
 * `routes-manifest.json`; a post that is not found is a 404 of `/posts/[slug]`, as a service's
 * 404 keeps its route); Next's own assets under one name each; anything else `unmatched`: raw
 * paths would make a series per URL.
 */
export function routeMatcher(distDir: string): (path: string) => string {
  let routes: { page: string; regex: RegExp }[] = [];
  try {
    const manifest = JSON.parse(readFileSync(join(distDir, 'routes-manifest.json'), 'utf8')) as RoutesManifest;
    routes = [...(manifest.staticRoutes ?? []), ...(manifest.dynamicRoutes ?? [])].map((r) => ({
      page: r.page,
      regex: new RegExp(r.regex),
    }));
  } catch {
    // `next dev` writes no manifest up front: its requests are counted, as unmatched.
  }
  return (path) => {
    if (path.startsWith('/_next/static/')) return '/_next/static';
    if (path.startsWith('/_next/')) return '/_next';
    return routes.find((r) => r.regex.test(path))?.page ?? unmatchedRoute;
  };
}
