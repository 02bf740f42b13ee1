import { ConfigError, runService, StartupError, type RunningService } from '@postline/common';
import { loadQueryConfig, type QueryConfig } from './config';
import { installFrontDoor } from './entry-points/http/front-door';
import { queryService } from './service';

/**
 * The query service's process: what common's serviceMain does for every
 * service (run; stop cleanly on SIGTERM/SIGINT, exit 0; a stuck shutdown exits
 * 1; configuration and connection problems printed plainly, exit 1), plus the
 * front door on the HTTP server runService started, which serviceMain gives no
 * access to.
 */
async function main(): Promise<void> {
  let started: { service: RunningService; config: QueryConfig } | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (!started) {
      process.stderr.write(`query: ${signal} while starting: exiting\n`);
      process.exit(0);
    }
    const { service, config } = started;
    service.context.logger.info({ signal }, 'signal received');
    setTimeout(() => {
      process.stderr.write(`query: shutdown took over ${config.SHUTDOWN_TIMEOUT_MS} ms\n`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    service.stop().then(
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
    const config = loadQueryConfig();
    const definition = queryService(config);
    const service = await runService(definition, config);
    installFrontDoor(service.server, {
      readSide: definition.parts().readSide,
      jwtKey: config.JWT_KEY,
      logger: service.context.logger,
      prefix: definition.prefix,
    });
    started = { service, config };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) {
      process.stderr.write(`query: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

void main();
