import { rateLimit } from 'express-rate-limit';
import { TooManyRequestsError } from '@postline/common';

/**
 * Limits credential guessing and sign-up floods per client address. The
 * counter lives in each replica's memory, so N replicas allow N times the
 * limit: acceptable against guessing, and no shared store is needed.
 */
export function credentialRateLimit(max: number, windowMs: number) {
  return rateLimit({
    windowMs,
    limit: max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new TooManyRequestsError('Too many attempts, try again later')),
  });
}
