import { Router } from 'express';
import { matchedData } from 'express-validator';
import { endSession, startSession, validateRequest } from '@postline/common';
import type { Accounts } from '../../domain/accounts';
import type { EmailVerification } from '../../domain/email-verification';
import { credentialRateLimit } from './credential-rate-limit';

import { signInRules, signUpRules } from './validators';

export interface AccountRouteSettings {
  jwtKey: string;
  jwtTtlSeconds: number;
  rateLimit: { max: number; windowMs: number };
}

/** POST /signup, /signin, /signout and GET /currentuser. */
export function accountRoutes(
  accounts: Accounts,
  verification: EmailVerification,
  settings: AccountRouteSettings,
): Router {
  const router = Router();
  const limited = credentialRateLimit(settings.rateLimit.max, settings.rateLimit.windowMs);

  router.post('/signup', limited, validateRequest(signUpRules), async (req, res) => {
    const input = matchedData<{ email: string; username: string; password: string }>(req);
    const user = await accounts.signUp(input);
    startSession(req, user, settings.jwtKey, settings.jwtTtlSeconds);
    await verification.afterSignUp(user);
    res.status(201).json(user);
  });

  router.post('/signin', limited, validateRequest(signInRules), async (req, res) => {
    const user = await accounts.signIn(matchedData<{ email: string; password: string }>(req));
    startSession(req, user, settings.jwtKey, settings.jwtTtlSeconds);
    res.status(200).json(user);
  });

  router.post('/signout', (req, res) => {
    endSession(req);
    res.status(200).json({});
  });

  router.get('/currentuser', (req, res) => {
    res.json({ currentUser: req.currentUser ?? null });
  });

  return router;
}
