import { ConfigError, type ServiceConfig, type ServiceConfigSchema } from '../config';
import { startTracing, stopTracing } from '../observability';
import { runService, StartupError, type RunningService, type ServiceDefinition } from './run-service';

/**
 * A service's `main` (every `src/index.ts` is `serviceMain(xService, xConfigSchema)`):
 * load the configuration, run, stop cleanly on SIGTERM/SIGINT (exit 0) or after
 * a stuck shutdown (exit 1). A configuration problem (a malformed URL among
 * them) is printed plainly, every problem named, and exits 1; MongoDB or NATS
 * out of reach is waited for, however long (see runService). A signal while
 * still starting (waiting for them, nothing served yet but `/healthz` and
 * `/readyz`) exits 0 at once.
 */
export async function serviceMain<C extends ServiceConfig>(
  define: (config: C) => ServiceDefinition<C>,
  schema: ServiceConfigSchema<C>,
): Promise<void> {
  const name = schema.service;
  let started: { service: RunningService<C>; config: C } | undefined;

  const shutdown = (signal: NodeJS.Signals) => {
    if (!started) {
      process.stderr.write(`${name}: ${signal} while starting: exiting\n`);
      process.exit(0);
    }
    const { service, config } = started;
    service.context.logger.info({ signal }, 'signal received');
    const timer = setTimeout(() => {
      process.stderr.write(`${name}: shutdown took over ${config.SHUTDOWN_TIMEOUT_MS} ms\n`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    service
      .stop()
      // The last spans, the shutdown's own among them; a collector out of reach is no failed shutdown.
      .then(() => stopTracing().catch(() => undefined))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          service.context.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  try {
    const config = schema.load(process.env);
    const definition = define(config);
    // Before anything is served; off unless a collector is configured.
    startTracing({ serviceName: definition.name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
    started = { service: await runService(definition, config), config };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
