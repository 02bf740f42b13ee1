import { randomUUID } from 'node:crypto';
import { signUserToken, type CurrentUser, type Role } from '../auth';
import { testTokenKeys } from './test-infrastructure';

export function testUser(fields: Partial<CurrentUser> & { role?: Role } = {}): CurrentUser {
  const id = fields.id ?? randomUUID().replace(/-/g, '').slice(0, 24);
  const username = fields.username ?? `user${id.slice(0, 8)}`;
  return { id, username, email: fields.email ?? `${username}@example.test`, role: fields.role ?? 'user' };
}

/** A `Cookie` header value for a signed-in session, exactly as cookie-session stores it. */
export function sessionCookieFor(user: CurrentUser, key = testTokenKeys.privateKey, ttlSeconds = 3600): string {
  const jwt = signUserToken(user, key, ttlSeconds);
  return `session=${Buffer.from(JSON.stringify({ jwt })).toString('base64')}`;
}

/** An `Authorization` header value for the same user. */
export function bearerFor(user: CurrentUser, key = testTokenKeys.privateKey, ttlSeconds = 3600): string {
  return `Bearer ${signUserToken(user, key, ttlSeconds)}`;
}
