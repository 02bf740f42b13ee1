import { Mailbox, startMailpit, startServiceUnderTest, type ServiceUnderTest } from '@postline/common/testing';
import supertest from 'supertest';
import { authConfigSchema } from '../config';
import { authService } from '../service';

export interface AuthUnderTest extends ServiceUnderTest {
  http: ReturnType<typeof supertest>;
  /** The inbox of the real SMTP server (Mailpit) the service sends to. */
  mailbox: Mailbox;
}

/** The auth service in-process against the test servers and a Mailpit of its own, recording user.* and session.* events; `namespace`: restart an earlier one. */
export async function startAuth(env: Record<string, string> = {}, namespace?: string): Promise<AuthUnderTest> {
  const mail = await startMailpit();
  try {
    const auth = await startServiceUnderTest({
      name: 'auth',
      namespace,
      loadConfig: authConfigSchema.load,
      define: authService,
      record: ['user', 'session'],
      // Cheap hashing and no rate limit keep the suite fast; their defaults are tested on their own.
      env: {
        PASSWORD_SCRYPT_COST: '1024',
        PASSWORD_SCRYPT_PARALLELIZATION: '1',
        AUTH_RATE_LIMIT_MAX: '10000',
        SMTP_PORT: String(mail.smtpPort),
        PUBLIC_URL: 'http://blog.example.test',
        ...env,
      },
    });
    return {
      ...auth,
      http: supertest(auth.baseUrl),
      mailbox: new Mailbox(mail.inboxUrl),
      stop: async () => {
        await auth.stop();
        await mail.dispose();
      },
    };
  } catch (err) {
    await mail.dispose();
    throw err;
  }
}

let counter = 0;
/** Valid, unique sign-up input. */
export function newAccount(prefix = 'user') {
  counter += 1;
  const username = `${prefix}${Date.now().toString(36)}${counter}`.slice(0, 30);
  return { email: `${username}@example.test`, username, password: 'correct horse battery' };
}
