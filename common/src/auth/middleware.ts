import type { Request, RequestHandler } from 'express';
import { ForbiddenError, NotAuthorizedError } from '../errors';
import { verifyUserToken, type CurrentUser, type Role } from './user-token';

declare module 'express-serve-static-core' {
  interface Request {
    currentUser?: CurrentUser;
  }
}

/** The JWT of this request: the session cookie's, or else an `Authorization: Bearer` header's. */
function tokenOf(req: Request): string | undefined {
  const fromSession = req.session?.jwt;
  if (typeof fromSession === 'string' && fromSession) return fromSession;
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** Sets `req.currentUser` when the request carries a valid token; never rejects. */
export function currentUser(jwtKey: string): RequestHandler {
  return (req, _res, next) => {
    const token = tokenOf(req);
    const user = token ? verifyUserToken(token, jwtKey) : null;
    if (user) req.currentUser = user;
    next();
  };
}

export const requireAuth: RequestHandler = (req, _res, next) => {
  if (!req.currentUser) throw new NotAuthorizedError();
  next();
};

export function requireRole(...allowed: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.currentUser) throw new NotAuthorizedError();
    if (!allowed.includes(req.currentUser.role)) throw new ForbiddenError();
    next();
  };
}

/** The signed-in caller; for handlers mounted behind `requireAuth`. */
export function signedInUser(req: Request): CurrentUser {
  if (!req.currentUser) throw new NotAuthorizedError();
  return req.currentUser;
}
