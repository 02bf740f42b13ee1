import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventBus, EventListener, ListenerObserver } from '../events';
import type { OutboxRelay } from '../outbox';

/** The route label of a request no route matched: raw paths would make a series per URL. */
export const unmatchedRoute = 'unmatched';

/**
 * The HTTP metric of the contract, for every process that serves pages or an API (the services,
 * and the client: client/src/server-observability.ts): latency and status counts per route pattern.
 */
export function httpRequestDuration(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  return new Histogram({
    name: 'postline_http_request_duration_seconds',
    help: 'HTTP requests by matched route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
}

/** Serves `GET /metrics` of `registry` on its own port (0: a free one), apart from the public routes. */
export async function serveMetrics(
  registry: Registry,
  port: number,
  onScrapeError: (err: unknown) => void,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => {
        onScrapeError(err);
        res.writeHead(500).end();
      },
    );
  });
  server.listen(port);
  await once(server, 'listening');
  return server;
}

/**
 * A service's Prometheus metrics (the contract is the "Metrics" table in
 * infra/k8s/README.md). A registry per instance, not prom-client's global
 * one, so services started side by side in one process (tests) keep theirs
 * apart. No `app`, `pod` or `instance` labels: the scrape adds them.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly httpDuration = httpRequestDuration(this.registry);
  private readonly eventDuration = new Histogram({
    name: 'postline_event_handling_duration_seconds',
    help: 'Handling one consumed event, until its ack or failure',
    labelNames: ['subject'] as const,
    registers: [this.registry],
  });
  private readonly eventFailures = new Counter({
    name: 'postline_event_handling_failures_total',
    help: 'Event handlings that failed and will be retried or dead-lettered',
    labelNames: ['subject'] as const,
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({
    name: 'postline_dead_letters_total',
    help: 'Messages this service sent to the dead-letter subject',
    labelNames: ['subject'] as const,
    registers: [this.registry],
  });

  /**
   * Without prom-client's default process metrics: in the benchmark they cost comment POSTs about a
   * fifth (159 → 127 req/s, one run each), and the cluster's container metrics already give CPU
   * and memory.
   */
  constructor(private readonly logger: Logger) {}

  /** What the event listener reports. */
  readonly listenerObserver: ListenerObserver = {
    handled: (subject, seconds, failed) => {
      this.eventDuration.observe({ subject }, seconds);
      if (failed) this.eventFailures.inc({ subject });
    },
    deadLettered: (subject) => this.deadLetters.inc({ subject }),
  };

  /**
   * Times every request. The route is `prefix` plus the matched route's path,
   * read when the response is finished: by then an error handler may have run
   * outside the service's router, where `req.baseUrl` no longer holds the
   * prefix. (The services' routers are mounted without paths of their own.)
   */
  /** A request answered outside Express (query's front door), under the route pattern Express would have matched. */
  recordRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  httpMiddleware(prefix: string): RequestHandler {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.once('finish', () => {
        const path = (req.route as { path?: unknown } | undefined)?.path;
        const route = typeof path === 'string' ? `${prefix}${path === '/' ? '' : path}` : unmatchedRoute;
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }

  /** Outbox backlog, read at scrape time: one query per outbox collection per scrape. */
  watchOutbox(relay: OutboxRelay): void {
    let backlog: ReturnType<OutboxRelay['backlog']> | undefined;
    // A scrape collects every metric at once: both gauges share the read in flight.
    const read = () => (backlog ??= relay.backlog().finally(() => (backlog = undefined)));
    const onError = (err: unknown) => this.logger.warn({ err }, 'metrics: could not read the outbox backlog');
    new Gauge({
      name: 'postline_outbox_pending_events',
      help: 'Events written to documents and not yet published',
      registers: [this.registry],
      collect: async function () {
        await read().then(({ events }) => this.set(events), onError);
      },
    });
    new Gauge({
      name: 'postline_outbox_oldest_event_age_seconds',
      help: 'Age of the oldest unpublished event (0 when there is none)',
      registers: [this.registry],
      collect: async function () {
        await read().then(
          ({ oldest }) => this.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0),
          onError,
        );
      },
    });
  }

  /** Consumer lag, read from JetStream at scrape time: one consumer-info request per stream consumed. */
  watchConsumers(bus: EventBus, listener: EventListener): void {
    const logger = this.logger;
    new Gauge({
      name: 'postline_consumer_pending_messages',
      help: 'Messages of the stream the durable consumer has not been delivered yet (num_pending)',
      labelNames: ['stream', 'consumer'] as const,
      registers: [this.registry],
      collect: async function () {
        // A consumer whose info cannot be read drops out of the scrape rather than reporting a stale figure.
        this.reset();
        await Promise.all(
          listener.consumerNames().map(async ({ stream, consumer }) => {
            try {
              const info = await bus.jsm.consumers.info(stream, consumer);
              this.set({ stream, consumer }, info.num_pending);
            } catch (err) {
              logger.warn({ err, stream, consumer }, 'metrics: could not read consumer info');
            }
          }),
        );
      },
    });
  }

  /**
   * How full each stream with a size limit is (bytes held / max_bytes), read from JetStream at
   * scrape time: a full stream refuses new events, so the alert fires well before (STREAM_MAX_BYTES).
   */
  watchStreams(bus: EventBus): void {
    const logger = this.logger;
    new Gauge({
      name: 'postline_stream_fill_ratio',
      help: 'Bytes a stream holds over its size limit (max_bytes); streams without a limit are left out',
      labelNames: ['stream'] as const,
      registers: [this.registry],
      collect: async function () {
        this.reset();
        await Promise.all(
          bus.names.allStreams().map(async ({ name }) => {
            try {
              const info = await bus.jsm.streams.info(name);
              if (info.config.max_bytes > 0) this.set({ stream: name }, info.state.bytes / info.config.max_bytes);
            } catch (err) {
              logger.warn({ err, stream: name }, 'metrics: could not read stream info');
            }
          }),
        );
      },
    });
  }

  /** Serves `GET /metrics` on its own port (0: a free one), apart from the public routes. */
  serve(port: number): Promise<Server> {
    return serveMetrics(this.registry, port, (err) => this.logger.error({ err }, 'metrics: scrape failed'));
  }
}
