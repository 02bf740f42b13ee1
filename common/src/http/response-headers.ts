import type { RequestHandler } from 'express';

/**
 * What every answer of every service says about itself, set before anything else can answer
 * (load shedding, errors, the routes; query's front door adds them to its own answers):
 *
 * - `X-Content-Type-Options: nosniff`: a browser takes a JSON answer for JSON, never for a script
 *   or a page, whatever a user managed to put into it.
 * - `Cache-Control: no-store` by default: an API answer is about a moment (and often about the
 *   caller: their email, role, drafts, likes), so nothing keeps it, a browser's disk or a proxy.
 *   A route whose answer is the same for everyone and may be revalidated says so itself
 *   (query's public reads, read signed out: `private, no-cache` with an ETag).
 */
export const securityHeaders: Readonly<Record<string, string>> = { 'X-Content-Type-Options': 'nosniff' };
export const personalCacheControl = 'no-store';

export const setResponseHeaders: RequestHandler = (_req, res, next) => {
  res.set(securityHeaders);
  res.set('Cache-Control', personalCacheControl);
  next();
};
