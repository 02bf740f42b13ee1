import { startServiceUnderTest, type ServiceUnderTest } from '@postline/common/testing';
import supertest from 'supertest';
import { authConfigSchema } from '../config';
import { authService } from '../service';

export interface AuthUnderTest extends ServiceUnderTest {
  http: ReturnType<typeof supertest>;
}

/** The auth service in-process against the test servers, recording user.* and session.* events; `namespace`: restart an earlier one. */
export async function startAuth(env: Record<string, string> = {}, namespace?: string): Promise<AuthUnderTest> {
  const auth = await startServiceUnderTest({
    name: 'auth',
    namespace,
    loadConfig: authConfigSchema.load,
    define: authService,
    record: ['user', 'session'],
    // Cheap hashing and no rate limit keep the suite fast; their defaults are tested on their own.
    env: { PASSWORD_SCRYPT_COST: '1024', PASSWORD_SCRYPT_PARALLELIZATION: '1', AUTH_RATE_LIMIT_MAX: '10000', ...env },
  });
  return { ...auth, http: supertest(auth.baseUrl) };
}

let counter = 0;
/** Valid, unique sign-up input. */
export function newAccount(prefix = 'user') {
  counter += 1;
  const username = `${prefix}${Date.now().toString(36)}${counter}`.slice(0, 30);
  return { email: `${username}@example.test`, username, password: 'correct horse battery' };
}
