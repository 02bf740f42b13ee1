import type { Request } from 'express';
import type {} from 'cookie-session';
import { signUserToken, type CurrentUser } from './user-token';

/**
 * Signs the user in to a session auth has recorded: the JWT (its `jti` the session id) goes in the
 * cookie-session cookie (the format `sessionCookieFor` builds in tests).
 */
export function startSession(
  req: Request,
  user: CurrentUser,
  session: { id: string; ttlSeconds: number },
  privateKeyPem: string,
): void {
  req.session = { jwt: signUserToken(user, privateKeyPem, session.ttlSeconds, session.id) };
}

export function endSession(req: Request): void {
  req.session = null;
}
