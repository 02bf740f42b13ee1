import { ConfigError, type ServiceConfig } from '../config';
import { runService, StartupError, type RunningService, type ServiceDefinition } from './run-service';

/**
 * A service's `main`: load config, run, stop cleanly on SIGTERM/SIGINT (exit
 * 0) or after a stuck shutdown (exit 1); a configuration or connection problem
 * is printed plainly and exits 1.
 */
export async function serviceMain(definition: ServiceDefinition, loadConfig: () => ServiceConfig): Promise<void> {
  let config: ServiceConfig;
  let service: RunningService;
  try {
    config = loadConfig();
    service = await runService(definition, config);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StartupError) {
      process.stderr.write(`${definition.name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const shutdown = (signal: NodeJS.Signals) => {
    service.context.logger.info({ signal }, 'signal received');
    const timer = setTimeout(() => {
      process.stderr.write(`${definition.name}: shutdown took over ${config.SHUTDOWN_TIMEOUT_MS} ms\n`);
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
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
}
