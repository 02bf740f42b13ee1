import type { Request, RequestHandler } from 'express';
import { ForbiddenError, NotAuthorizedError } from '../errors';
import type { TokenVerifier } from './token-verifier';
import type { CurrentUser, Role } from './user-token';

declare module 'express-serve-static-core' {
  interface Request {
    currentUser?: CurrentUser;
    /** The session the request's token belongs to (its `jti`), when it carries a valid one. */
    sessionId?: string;
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

/** Sets `req.currentUser` and `req.sessionId` when the request carries a token that stands; never rejects. */
export function currentUser(tokens: TokenVerifier): RequestHandler {
  return (req, _res, next) => {
    const token = tokenOf(req);
    const verified = token ? tokens.verify(token) : null;
    if (verified) {
      req.currentUser = verified.user;
      req.sessionId = verified.sessionId;
    }
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
