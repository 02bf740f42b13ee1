import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { signedInUser } from '../auth';
import { TooManyRequestsError } from '../errors';

/** The environment of the per-user write limit, for services that extend their config with it. */
export const writeRateLimitEnv = z.object({
  /** Successful writes (creates and edits) per signed-in user per window, in each writing service. */
  WRITE_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(30),
  WRITE_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
});

/**
 * Limits how fast one user writes (posts, comments), keyed by the user id of
 * the session, so it goes behind `requireAuth`. Only successful writes count:
 * a refused one changed nothing. Counted in each replica's memory, so N
 * replicas allow N times the limit: enough against a flood from one account,
 * with no shared store to run.
 */
export function perUserWriteLimit(max: number, windowMs: number): RequestHandler {
  return rateLimit({
    windowMs,
    limit: max,
    keyGenerator: (req) => signedInUser(req).id,
    skipFailedRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new TooManyRequestsError('Writing too fast, try again later')),
  });
}
