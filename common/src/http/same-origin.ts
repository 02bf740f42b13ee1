import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing request that a browser sent from another site: its
 * `Origin` names a host other than the one the request was made to (the
 * `X-Forwarded-Host` of the trusted gateway, or `Host`). The session cookie is
 * sameSite=lax already; this also stops a foreign page using a Bearer token it
 * cannot read anyway, and forms posted from a sibling subdomain. Requests
 * without `Origin` (scripts, curl, server-side fetches) pass: browsers always
 * send it on cross-origin writes.
 */
export const refuseForeignOrigin: RequestHandler = (req, _res, next) => {
  const origin = req.headers.origin;
  if (safeMethods.has(req.method) || origin === undefined) return next();
  let originHost: string | undefined;
  try {
    originHost = origin === 'null' ? undefined : new URL(origin).host;
  } catch {
    originHost = undefined;
  }
  // req.host (Express 5) is X-Forwarded-Host behind trusted proxies, else Host; with its port.
  if (originHost === undefined || originHost.toLowerCase() !== req.host?.toLowerCase()) {
    throw new ForbiddenError('Cross-origin request refused');
  }
  next();
};
