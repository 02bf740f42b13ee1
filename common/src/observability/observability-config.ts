import { loadConfig, observabilityEnvSchema } from '../config/load-config';

/**
 * The metrics port and the trace collector, read and checked as the services read theirs (a
 * ConfigError naming every problem): for a process that does not load a service's whole
 * configuration, the client.
 */
export function loadObservabilityConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(observabilityEnvSchema, env);
}
