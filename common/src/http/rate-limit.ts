import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { signedInUser } from '../auth';
import { TooManyRequestsError } from '../errors';

/**
 * The write limits, for services that extend their config with them. Each write is an event the
 * streams keep, so every kind of write has a budget per signed-in user, and all of a service's
 * writes together one per client address (many accounts behind one script). Per window, counted
 * in each replica's memory: N replicas allow N times the limit, enough against a flood from one
 * account or address with no shared store to run.
 */
export const writeRateLimitEnv = z.object({
  /** Posts and comments written, edited, published or deleted, per user. */
  WRITE_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(30),
  /** Likes and follows, given or taken back, per user. */
  REACTION_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(60),
  /** Profile edits, per user. */
  PROFILE_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(10),
  /** Moderation decisions, per moderator. */
  DECISION_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(120),
  /** Every write to one service, per client address. */
  ADDRESS_WRITE_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(600),
  WRITE_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
});
export type WriteRateLimits = z.infer<typeof writeRateLimitEnv>;

/**
 * Who a client is when it is not signed in: its address (behind the gateway, req.ip is the
 * client's, TRUST_PROXY_HOPS), an IPv6 address by its /56, which one client holds whole.
 */
export const clientAddressKey = (req: Request): string => ipKeyGenerator(req.ip ?? 'unknown');

/** The kinds of write with a budget of their own, and the setting that sets it. */
const budgets = {
  writes: 'WRITE_RATE_LIMIT_MAX',
  reactions: 'REACTION_RATE_LIMIT_MAX',
  profile: 'PROFILE_RATE_LIMIT_MAX',
  decisions: 'DECISION_RATE_LIMIT_MAX',
} as const satisfies Record<string, keyof WriteRateLimits>;
export type WriteKind = keyof typeof budgets;

function limiter(max: number, windowMs: number, key: (req: Request) => string, message: string): RequestHandler {
  return rateLimit({
    windowMs,
    limit: max,
    keyGenerator: key,
    // Only successful writes count: a refused one changed nothing.
    skipFailedRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new TooManyRequestsError(message)),
  });
}

/**
 * A service's write limits: `for(kind)` goes behind `requireAuth` (or `requireRole`) on a write
 * route and refuses with a JSON 429 and `Retry-After` once the user's budget for that kind, or
 * the address's budget for all of them, is spent.
 */
export class WriteLimits {
  private readonly byAddress: RequestHandler;
  private readonly byKind = new Map<WriteKind, RequestHandler>();

  constructor(private readonly limits: WriteRateLimits) {
    this.byAddress = limiter(
      limits.ADDRESS_WRITE_RATE_LIMIT_MAX,
      limits.WRITE_RATE_LIMIT_WINDOW_MS,
      clientAddressKey,
      'Too many writes from this address, try again later',
    );
  }

  for(kind: WriteKind): RequestHandler {
    let perUser = this.byKind.get(kind);
    if (!perUser) {
      perUser = limiter(
        this.limits[budgets[kind]],
        this.limits.WRITE_RATE_LIMIT_WINDOW_MS,
        (req) => signedInUser(req).id,
        'Writing too fast, try again later',
      );
      this.byKind.set(kind, perUser);
    }
    const user = perUser;
    return (req, res, next) => this.byAddress(req, res, (err?: unknown) => (err ? next(err) : user(req, res, next)));
  }
}
