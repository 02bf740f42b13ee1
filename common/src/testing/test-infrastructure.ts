import { randomBytes } from 'node:crypto';
import { generateTokenKeys } from '../auth';
import { loadServiceConfig, type ServiceConfig } from '../config';
import { startLocalMongo, startNats, type LocalServer } from './local-servers';

/**
 * One local MongoDB and one nats-server for a whole jest run (jest's
 * globalSetup), their URLs handed to the test workers through the
 * environment. Suites stay apart by database name and event namespace, not by
 * server. The database keeps the run's data in memory: the same engine as
 * `npm start`'s file storage, without the disk (the crash test starts a file
 * one of its own).
 */
const servers: LocalServer[] = [];

export async function startTestInfrastructure(): Promise<void> {
  if (!process.env.TEST_MONGO_URL) {
    const mongo = await startLocalMongo({ storage: 'memory', heapMb: 1024 });
    servers.push(mongo);
    process.env.TEST_MONGO_URL = mongo.url;
  }
  if (!process.env.TEST_NATS_URL) {
    const nats = await startNats();
    servers.push(nats);
    process.env.TEST_NATS_URL = nats.url;
  }
}

export async function stopTestInfrastructure(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.dispose()));
}

/** A fresh lower-case id for a suite's databases and event namespace. */
export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** This test process's token keys: auth under test signs with the private one, every service verifies with the public one. */
export const testTokenKeys = generateTokenKeys();

/**
 * The HS256 key every service under test shared before auth alone signed tokens: a made-up value,
 * kept so tests can show that a token signed with a shared key is refused now.
 */
export const legacyTestJwtKey = 'test-jwt-key-that-is-long-enough-for-hs256-0123456789';

export function testUrls(): { mongoUrl: string; natsUrl: string } {
  const mongoUrl = process.env.TEST_MONGO_URL;
  const natsUrl = process.env.TEST_NATS_URL;
  if (!mongoUrl || !natsUrl) {
    throw new Error(
      'TEST_MONGO_URL/TEST_NATS_URL are not set: run tests through jest (its globalSetup starts the servers)',
    );
  }
  return { mongoUrl, natsUrl };
}

/**
 * The environment of a service against the test servers, with its own
 * database and event namespace, listening on a random port; services with
 * their own configuration parse it with their own loader.
 */
export function testServiceEnv(
  serviceName: string,
  namespace: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const { mongoUrl, natsUrl } = testUrls();
  return {
    NODE_ENV: 'test',
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_PUBLIC_KEY: testTokenKeys.publicKey,
    ...(serviceName === 'auth' ? { JWT_PRIVATE_KEY: testTokenKeys.privateKey } : {}),
    MONGO_URL: `${mongoUrl}/${namespace}-${serviceName}`,
    NATS_URL: natsUrl,
    EVENTS_NAMESPACE: namespace,
    OUTBOX_SWEEP_MS: '200',
    EVENT_RETRY_BASE_MS: '50',
    EVENT_MAX_DELIVERIES: '4',
    ...overrides,
  };
}

export function testServiceConfig(
  serviceName: string,
  namespace: string,
  overrides: Record<string, string> = {},
): ServiceConfig {
  return loadServiceConfig(serviceName, testServiceEnv(serviceName, namespace, overrides));
}
