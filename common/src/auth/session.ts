import type { Request } from 'express';
import type {} from 'cookie-session';
import { signUserToken, type CurrentUser } from './user-token';

/** Signs the user in: the JWT goes in the cookie-session cookie (the format `sessionCookieFor` builds in tests). */
export function startSession(req: Request, user: CurrentUser, jwtKey: string, ttlSeconds: number): void {
  req.session = { jwt: signUserToken(user, jwtKey, ttlSeconds) };
}

export function endSession(req: Request): void {
  req.session = null;
}
