import { EventBus, runService, type RunningService } from '@postline/common';
import { EventRecorder, testServiceEnv, uniqueNamespace } from '@postline/common/testing';
import { pino } from 'pino';
import supertest from 'supertest';
import { loadAuthConfig } from '../config';
import { authService } from '../service';

export interface AuthUnderTest {
  service: RunningService;
  http: ReturnType<typeof supertest>;
  /** Every user.* event the service published, from the stream. */
  events: EventRecorder;
  namespace: string;
  stop(): Promise<void>;
}

/**
 * The auth service in-process on a random port, against the real test
 * FerretDB and nats-server, in a namespace of its own.
 */
export async function startAuth(overrides: Record<string, string> = {}): Promise<AuthUnderTest> {
  const namespace = uniqueNamespace();
  // Cheap hashing keeps the suite fast; production uses PASSWORD_SCRYPT_COST's default.
  const env = testServiceEnv('auth', namespace, {
    PASSWORD_SCRYPT_COST: '1024',
    AUTH_RATE_LIMIT_MAX: '10000',
    ...overrides,
  });
  const config = loadAuthConfig(env);
  const service = await runService(authService(config), config);
  const bus = await EventBus.connect({
    url: config.NATS_URL,
    name: 'recorder',
    namespace,
    logger: pino({ level: 'silent' }),
  });
  const events = await new EventRecorder(bus).start(['user']);
  return {
    service,
    http: supertest(`http://127.0.0.1:${service.port}`),
    events,
    namespace,
    stop: async () => {
      events.stop();
      await bus.close();
      await service.stop();
    },
  };
}

let counter = 0;
/** Valid, unique sign-up input. */
export function newAccount(prefix = 'user') {
  counter += 1;
  const username = `${prefix}${Date.now().toString(36)}${counter}`.slice(0, 30);
  return { email: `${username}@example.test`, username, password: 'correct horse battery' };
}
