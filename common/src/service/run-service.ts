import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import mongoose, { type Connection, type Model } from 'mongoose';
import type { Logger } from 'pino';
import { EndedSessions, SessionEndings, TokenVerifier } from '../auth';
import type { ServiceConfig } from '../config';
import { EventBus, EventListener } from '../events';
import { createHttpApp } from '../http';
import { createLogger } from '../logging';
import { ServiceMetrics } from '../observability';
import { OutboxRelay } from '../outbox';
import { healthRoutes } from './health';
import { mongoReadiness } from './mongo-readiness';

/** What a service's own code gets once its connections are up; `config` is the service's own (see defineServiceConfig). */
export interface ServiceContext<C extends ServiceConfig = ServiceConfig> {
  config: C;
  logger: Logger;
  db: Connection;
  bus: EventBus;
  relay: OutboxRelay;
  /** Which session tokens stand on this replica (signature, expiry, sessions ended). */
  tokens: TokenVerifier;
}

export interface ServiceDefinition<C extends ServiceConfig = ServiceConfig> {
  name: string;
  /** Public path prefix, e.g. `/api/users`. */
  prefix: string;
  /** Models whose documents carry an outbox. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  outboxModels?: (db: Connection) => Model<any>[];
  routes: (ctx: ServiceContext<C>) => Router;
  /** Registers the service's event handlers, if it consumes any. */
  listeners?: (listener: EventListener, ctx: ServiceContext<C>) => void;
  /** Runs before the service takes traffic (indexes, seed data). */
  prepare?: (ctx: ServiceContext<C>) => Promise<void>;
  /**
   * Runs once routes and listeners are up, just before the service reports ready, with the running
   * service (its HTTP server among it: query installs its front door there).
   */
  started?: (service: RunningService<C>) => void;
  /** Runs first on stop: ends long-lived responses (event streams), which the server would wait for. */
  stopping?: () => void;
}

export interface RunningService<C extends ServiceConfig = ServiceConfig> {
  port: number;
  /** Where `GET /metrics` answers. */
  metricsPort: number;
  metrics: ServiceMetrics;
  server: Server;
  context: ServiceContext<C>;
  stop(): Promise<void>;
}

export interface RunOptions {
  /** Aborting it while the service still waits for MongoDB or NATS closes what it opened and rejects. */
  signal?: AbortSignal;
}

/**
 * The life of every Postline service: serve `/healthz` and, on its own port,
 * `/metrics` at once, connect to Mongo and NATS (`/readyz` answers 503 naming
 * what it waits for until both are up and the consumers run), mount the
 * routes, start the outbox relay and listeners; on stop, stop accepting, drain
 * in-flight requests, drain consumers and the relay, close NATS and Mongo,
 * then the metrics port. A dependency not reachable yet is waited for, with
 * back-off and for as long as it takes: in a cluster the database or NATS may
 * come minutes after the service, and a process that exits instead is a
 * restarting container, which fails the deploy.
 */
export async function runService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  options: RunOptions = {},
): Promise<RunningService<C>> {
  const logger = createLogger(definition.name, config.LOG_LEVEL);
  const db = mongoose.createConnection();
  /** Set as soon as NATS is connected, for /readyz while MongoDB may still be awaited. */
  let connectedBus: EventBus | undefined;
  let listener: EventListener | undefined;
  let ready = false;
  const mongo = `MongoDB at ${redact(config.mongoUrl)} (MONGO_URL)`;
  const nats = `NATS at ${redact(config.NATS_URL)} (NATS_URL)`;

  const outer = express();
  outer.disable('x-powered-by');
  outer.use(
    healthRoutes({
      mongo: { waitsFor: mongo, ready: mongoReadiness(db) },
      nats: { waitsFor: nats, ready: () => connectedBus?.isConnected ?? false },
      consumers: {
        waitsFor: `${definition.name} to start its routes and event consumers`,
        ready: () => ready && (listener ? listener.isRunning : true),
      },
    }),
  );
  // Until the routes are mounted, a request that reaches this port early (a restart behind a
  // gateway that does not watch readiness) gets a JSON 503 to retry, not Express's HTML 404.
  // eslint-disable-next-line prefer-const -- the handler below reads it before it is assigned (a const would throw)
  let app: express.Express | undefined;
  outer.use((req, res, next) => {
    if (app) return app(req, res, next);
    res
      .status(503)
      .set('Retry-After', '1')
      .json({ errors: [{ message: `${definition.name} is starting; try again in a moment` }] });
  });
  const server = outer.listen(config.PORT);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const metrics = new ServiceMetrics(logger);
  const metricsServer = await metrics.serve(config.METRICS_PORT);
  const metricsPort = (metricsServer.address() as AddressInfo).port;

  // Both at once, so /readyz and the log name each one that is missing.
  // Ends every wait when the caller gives up, or when one of them fails for good.
  const waiting = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, waiting.signal]) : waiting.signal;
  const [, bus] = await Promise.all([
    waitFor(mongo, logger, signal, {
      // The driver default (30 s) would make each attempt, and its line in the log, that far apart.
      attempt: () => db.openUri(config.mongoUrl, { serverSelectionTimeoutMS: 5_000 }),
      discard: () => db.close(true),
    }),
    waitFor(nats, logger, signal, {
      attempt: () =>
        EventBus.connect({
          url: config.NATS_URL,
          name: definition.name,
          namespace: config.EVENTS_NAMESPACE,
          streamReplicas: config.STREAM_REPLICAS,
          streamMaxBytes: config.STREAM_MAX_BYTES,
          user: config.NATS_USER,
          password: config.NATS_PASSWORD,
          logger,
        }),
      discard: (late) => late.close(),
    }).then((connected) => (connectedBus = connected)),
  ]).catch(async (err: unknown) => {
    waiting.abort(err);
    server.close();
    server.closeAllConnections();
    metricsServer.close();
    metricsServer.closeAllConnections();
    await connectedBus?.close().catch(() => undefined);
    await db.close(true);
    throw err;
  });

  metrics.watchStreams(bus);
  const relay = new OutboxRelay(bus, definition.outboxModels?.(db) ?? [], logger, config.OUTBOX_SWEEP_MS);
  const tokens = new TokenVerifier(config.JWT_PUBLIC_KEY, new EndedSessions());
  const context: ServiceContext<C> = { config, logger, db, bus, relay, tokens };
  metrics.watchOutbox(relay);
  await definition.prepare?.(context);
  // Before it serves, the replica knows every session that ended while it was away.
  const sessionEndings = new SessionEndings(bus, tokens.endedSessions, logger);
  await waitFor(`the ended sessions on ${nats}`, logger, signal, {
    attempt: () => sessionEndings.start(),
    discard: () => sessionEndings.stop(),
  });

  app = createHttpApp({
    logger,
    tokens,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    secureCookies: config.NODE_ENV === 'production',
    prefix: definition.prefix,
    routes: definition.routes(context),
    requestMetrics: metrics.httpMiddleware(definition.prefix),
    loadShedding: { maxInFlight: config.HTTP_MAX_IN_FLIGHT, retryAfterSeconds: config.HTTP_RETRY_AFTER_S },
  });
  relay.start();
  if (definition.listeners) {
    listener = new EventListener(bus, {
      service: definition.name,
      logger,
      maxDeliveries: config.EVENT_MAX_DELIVERIES,
      retryBaseMs: config.EVENT_RETRY_BASE_MS,
      ackWaitMs: config.EVENT_ACK_WAIT_MS,
      maxInFlight: config.EVENT_CONCURRENCY,
      observer: metrics.listenerObserver,
    });
    definition.listeners(listener, context);
    metrics.watchConsumers(bus, listener);
    const consuming = listener;
    // JetStream may refuse a moment longer than the connection (a cluster still electing its leader).
    await waitFor(`the event consumers on ${nats}`, logger, signal, {
      attempt: () => consuming.start(),
      discard: () => consuming.stop(),
    });
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      ready = false;
      logger.info('shutting down');
      definition.stopping?.();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      // Each step runs even if one before failed (NATS may already be gone):
      // what can still be closed cleanly is.
      await step(logger, 'drain consumers', () => listener?.stop());
      await step(logger, 'stop reading ended sessions', () => sessionEndings.stop());
      await step(logger, 'stop outbox relay', () => relay.stop());
      await step(logger, 'close NATS', () => bus.close());
      await step(logger, 'close MongoDB', () => db.close());
      // Last: the shutdown stays visible to a scrape until the end.
      await step(logger, 'close metrics', () => {
        const closed = new Promise((resolve) => metricsServer.close(resolve));
        metricsServer.closeAllConnections();
        return closed;
      });
      logger.info('stopped');
    })());

  const running: RunningService<C> = { port, metricsPort, metrics, server, context, stop };
  definition.started?.(running);
  ready = true;
  logger.info({ port }, `${definition.name} ready`);
  return running;
}

async function step(logger: Logger, what: string, action: () => Promise<unknown> | undefined): Promise<void> {
  try {
    await action();
  } catch (err) {
    logger.warn({ err }, `${what} failed during shutdown`);
  }
}

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Attempt n (from 0) failed: the wait before the next one (0.5 s, 1 s, 2 s, … at most 15 s). */
function backOffMs(failures: number): number {
  return Math.min(500 * 2 ** failures, 15_000);
}

/**
 * Tries to connect until it works, waiting longer after each failure and
 * logging each one (a line every 15 s at most while a dependency stays away).
 * A malformed URL fails at once (configuration: waiting will not fix it);
 * anything else (refused, not found, no primary yet, credentials not made
 * yet) is waited out. Aborting ends the wait; a connection that comes after
 * it is discarded.
 */
async function waitFor<T>(
  what: string,
  logger: Logger,
  signal: AbortSignal,
  { attempt, discard }: { attempt: () => Promise<T>; discard: (late: T) => Promise<unknown> },
): Promise<T> {
  for (let failures = 0; ; failures++) {
    signal.throwIfAborted();
    const trying = attempt();
    try {
      const connected = await raceAbort(trying, signal);
      if (failures > 0) logger.info(`connected to ${what}`);
      return connected;
    } catch (err) {
      if (signal.aborted) {
        void trying.then(discard).catch(() => undefined);
        throw signal.reason;
      }
      const message = (err as Error)?.message ?? String(err);
      if (/Invalid|parse|URI/i.test((err as Error)?.name ?? '')) {
        throw new StartupError(`cannot connect to ${what}: ${message}`);
      }
      const waitMs = backOffMs(failures);
      logger.warn({ attempt: failures + 1, waitMs }, `waiting for ${what}: ${message}`);
      await delay(waitMs, undefined, { signal });
    }
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//***@');
}
