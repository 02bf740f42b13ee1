import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Logger } from 'pino';
import { matchRoute, type Route } from '../route-table';

export interface GatewayOptions {
  port: number;
  routes: Route[];
  /** Service name → origin, e.g. `auth` → `http://127.0.0.1:3001`. */
  upstreams: Record<string, string>;
  logger: Logger;
  /** How long an upstream may take to answer before the gateway answers 504. */
  upstreamTimeoutMs?: number;
}

function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ message }] }));
}

/**
 * The local stand-in for the Ingress/Gateway: one origin, each path prefix of
 * the route table proxied to its service. An `/api/...` path no route claims
 * is a JSON 404 here (it must not fall through to the client), and a service
 * that is down or too slow is a JSON 502/504 at once rather than a hang.
 */
export async function startGateway(
  options: GatewayOptions,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    if (!req.headers['x-request-id']) req.headers['x-request-id'] = randomUUID();
    res.setHeader('X-Request-Id', String(req.headers['x-request-id']));
    next();
  });

  app.use((req, res, next) => {
    const route = matchRoute(options.routes, req.path);
    const apiPath = req.path === '/api' || req.path.startsWith('/api/');
    if (!route || (apiPath && route.prefix === '/')) {
      sendError(res, 404, `No route for ${req.method} ${req.path}`);
      return;
    }
    if (!options.upstreams[route.service]) {
      sendError(res, 503, `${route.service} is not running`);
      return;
    }
    res.locals.service = route.service;
    next();
  });

  app.use(
    createProxyMiddleware<IncomingMessage, ServerResponse>({
      router: (req) =>
        options.upstreams[matchRoute(options.routes, new URL(req.url ?? '/', 'http://x').pathname)!.service]!,
      target: 'http://127.0.0.1', // replaced per request by `router`
      xfwd: true,
      // Reuse upstream connections: a new TCP connection per request more than halves throughput.
      agent: new Agent({ keepAlive: true, maxSockets: 256 }),
      proxyTimeout: options.upstreamTimeoutMs ?? 30_000,
      on: {
        error: (err, req, res) => {
          const code = (err as NodeJS.ErrnoException).code;
          options.logger.warn({ err, url: req.url, code }, 'upstream failed');
          const timedOut = code === 'ECONNRESET' || code === 'ETIMEDOUT';
          if ('writeHead' in res) {
            sendError(
              res,
              timedOut ? 504 : 502,
              timedOut ? 'Upstream service timed out' : 'Upstream service unavailable',
            );
          }
        },
      },
    }),
  );

  const server = app.listen(options.port);
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
