import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { maxTokenTtlSeconds } from '../events/streams';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses environment variables with a zod object schema and fails fast with
 * every problem named at once, so an operator fixes them in one go.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const missing = issue.code === 'invalid_type' && env[name] === undefined;
    return missing ? `${name} is required` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

const mongoUrl = z.string().regex(/^mongodb(\+srv)?:\/\/[^\s/]+/, 'must be a mongodb:// or mongodb+srv:// URL');

/**
 * Whether a PEM is a P-256 key of the kind given: the curve of ES256, the tokens' algorithm. A
 * private key given as the public one is refused too (Node would derive the public key from it),
 * so it is not handed to every service by mistake.
 */
function isP256Key(pem: string, kind: 'public' | 'private'): boolean {
  if (kind === 'public' && !pem.startsWith('-----BEGIN PUBLIC KEY-----')) return false;
  try {
    const key = kind === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

/** A PEM key of the tokens' curve (P-256); `\n` may stand for the line breaks (one-line variables). */
export function tokenKey(kind: 'public' | 'private') {
  return z
    .string()
    .transform((value) => value.replace(/\\n/g, '\n').trim() + '\n')
    .refine((pem) => isP256Key(pem, kind), `must be a PEM ${kind} key on the P-256 curve (ES256)`);
}

const natsUrl = z
  .string()
  .regex(/^(nats|tls|ws|wss):\/\/[^\s]+$/, 'must be a nats:// URL (several may be comma-separated)');

/** What every server process of the platform reads for its metrics and traces (the services and the client). */
export const observabilityEnvSchema = z.object({
  /** Prometheus `/metrics`, on a port of its own so it is never routed publicly. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** OTLP/HTTP collector to send traces to (`<url>/v1/traces`); unset or empty: tracing off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.url({ protocol: /^https?$/ }).optional(),
  ),
});

export const serviceEnvSchema = z.object({
  ...observabilityEnvSchema.shape,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Auth's public key: every service verifies session tokens with it; only auth holds the private key. */
  JWT_PUBLIC_KEY: tokenKey('public'),
  /** At most a day: the sessions stream keeps an ended session that long (events/streams.ts). */
  JWT_TTL_SECONDS: z.coerce.number().int().positive().max(maxTokenTtlSeconds).default(3600),
  MONGO_URL: mongoUrl,
  NATS_URL: natsUrl.default('nats://127.0.0.1:4222'),
  /**
   * The NATS user the service acts as, and its password (on Kubernetes from the Secret
   * `<service>-nats-credentials`): it may publish only its own subjects (common/src/events/permissions.ts).
   * Unset: no authentication, for a nats-server without users.
   */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  /** Prefix for stream and subject names; lets test suites share one nats-server. */
  EVENTS_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]*$/, 'must be lower-case letters and digits')
    .default(''),
  /** Copies JetStream keeps of each stream when it creates it: 1 locally, 3 on a three-server cluster. */
  STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /**
   * Bytes each stream may hold (-1: no limit); a full stream refuses new events, which then wait in
   * the outbox (common/src/events/event-bus.ts, StreamSettings). Unset: streams are left as they are
   * (created without a limit). JetStream reserves each stream's limit from the server's storage.
   */
  STREAM_MAX_BYTES: z.coerce.number().int().min(-1).optional(),
  MODERATOR_EMAILS: z.string().default(''),
  /** Behind the gateway or an ingress: how many proxy hops to trust for the client address. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).default(1),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  OUTBOX_SWEEP_MS: z.coerce.number().int().positive().default(2_000),
  /**
   * Attempts before a failing event is dead-lettered. With the default back-off (0.2, 0.4, … s) the
   * waits of 9 attempts (51 s) outlast the ack wait (30 s): an event waiting for an earlier one that
   * a replica pulled and then died with (redelivered only after the ack wait) is not dead-lettered
   * first. 8 attempts waited 25.4 s.
   */
  EVENT_MAX_DELIVERIES: z.coerce.number().int().min(1).default(9),
  EVENT_RETRY_BASE_MS: z.coerce.number().int().positive().default(200),
  /** How long JetStream waits for a delivered message's ack before delivering it again (to any replica). */
  EVENT_ACK_WAIT_MS: z.coerce.number().int().min(100).default(30_000),
  /**
   * Requests a replica works on at once; past it a request is refused at once with 503 and
   * `Retry-After: HTTP_RETRY_AFTER_S` instead of waiting in a queue (0: no limit). What is
   * accepted then finishes in about this many over the replica's throughput.
   */
  HTTP_MAX_IN_FLIGHT: z.coerce.number().int().min(0).default(32),
  HTTP_RETRY_AFTER_S: z.coerce.number().int().min(1).default(1),
  /** Events handled at once across aggregates (those of one aggregate always one at a time, in order), and asked for per pull. */
  EVENT_CONCURRENCY: z.coerce.number().int().min(1).default(64),
});

export type ServiceConfig = z.infer<typeof serviceEnvSchema> & {
  serviceName: string;
  mongoUrl: string;
  moderatorEmails: string[];
};

/**
 * The configuration every service shares. `<SERVICE>_MONGO_URL` (for example
 * `AUTH_MONGO_URL`) overrides `MONGO_URL` for one service; a URL without a
 * database name gets `postline-<service>`, so services sharing one server
 * still keep separate databases.
 */
export function loadServiceConfig<S extends z.ZodObject = z.ZodObject<Record<string, never>>>(
  serviceName: string,
  env: Env = process.env,
  extra?: S,
): ServiceConfig & z.infer<S> {
  const overrideKey = `${serviceName.toUpperCase()}_MONGO_URL`;
  const effectiveEnv = { ...env, MONGO_URL: env[overrideKey] ?? env.MONGO_URL };
  const schema = extra ? serviceEnvSchema.extend(extra.shape) : serviceEnvSchema;
  const parsed = loadConfig(schema, effectiveEnv) as z.infer<typeof serviceEnvSchema> & z.infer<S>;
  return {
    ...parsed,
    serviceName,
    mongoUrl: withDefaultDatabase(parsed.MONGO_URL, `postline-${serviceName}`),
    moderatorEmails: parsed.MODERATOR_EMAILS.split(',')
      .map((email) => email.trim().toLowerCase())
      .filter(Boolean),
  };
}

/**
 * A service's configuration as its `main` is given it: the service's name (for
 * messages before anything runs) and how to read and check it from the
 * environment. `load` throws a ConfigError naming every problem.
 */
export interface ServiceConfigSchema<C extends ServiceConfig = ServiceConfig> {
  service: string;
  load(env?: Env): C;
}

/** The configuration a schema loads: `type AuthConfig = ConfigOf<typeof authConfigSchema>`. */
export type ConfigOf<T extends ServiceConfigSchema> = T extends ServiceConfigSchema<infer C> ? C : never;

/**
 * The shared variables plus the service's own (`variables`), and anything else
 * read from the environment (`more`, e.g. moderation's rules file). Problems of
 * both are reported together, so one failed start names them all.
 */
export function defineServiceConfig<S extends z.ZodObject, X extends object = Record<never, never>>(
  service: string,
  variables: S,
  more?: (env: Env) => X,
): ServiceConfigSchema<ServiceConfig & z.infer<S> & X> {
  return {
    service,
    load: (env = process.env) => {
      const problems: string[] = [];
      const attempt = <T>(read: () => T): T | undefined => {
        try {
          return read();
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          problems.push(...err.problems);
          return undefined;
        }
      };
      const shared = attempt(() => loadServiceConfig(service, env, variables));
      const extra = more && attempt(() => more(env));
      if (problems.length > 0 || !shared) throw new ConfigError(problems);
      return { ...shared, ...(extra as X) };
    },
  };
}

export function withDefaultDatabase(url: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(url);
  if (!match) return url;
  const [, hostPart, path, query = ''] = match;
  if (path && path.length > 1) return url;
  return `${hostPart}/${database}${query}`;
}
