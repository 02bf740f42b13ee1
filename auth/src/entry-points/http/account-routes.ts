import { Router } from 'express';
import { matchedData } from 'express-validator';
import { endSession, requireAuth, signedInUser, startSession, validateRequest } from '@postline/common';
import type { Accounts } from '../../domain/accounts';
import type { EmailVerification } from '../../domain/email-verification';
import type { Sessions } from '../../domain/sessions';
import { credentialRateLimit } from './credential-rate-limit';

import { changePasswordRules, signInRules, signUpRules } from './validators';

export interface AccountRouteSettings {
  /** Auth's private key: only auth signs session tokens. */
  privateKeyPem: string;
  rateLimit: { max: number; windowMs: number };
}

/** POST /signup, /signin, /signout, /me/password and GET /currentuser. */
export function accountRoutes(
  accounts: Accounts,
  sessions: Sessions,
  verification: EmailVerification,
  settings: AccountRouteSettings,
): Router {
  const router = Router();
  const limited = credentialRateLimit(settings.rateLimit.max, settings.rateLimit.windowMs);

  router.post('/signup', limited, validateRequest(signUpRules), async (req, res) => {
    const input = matchedData<{ email: string; username: string; password: string }>(req);
    const user = await accounts.signUp(input);
    startSession(req, user, await sessions.start(user.id), settings.privateKeyPem);
    await verification.afterSignUp(user);
    res.status(201).json(user);
  });

  router.post('/signin', limited, validateRequest(signInRules), async (req, res) => {
    const user = await accounts.signIn(matchedData<{ email: string; password: string }>(req));
    startSession(req, user, await sessions.start(user.id), settings.privateKeyPem);
    res.status(200).json(user);
  });

  // Ends the session on the server, so a copy of its token is refused from now on, everywhere.
  router.post('/signout', async (req, res) => {
    if (req.sessionId) await sessions.end(req.sessionId);
    endSession(req);
    res.status(200).json({});
  });

  router.post('/me/password', requireAuth, limited, validateRequest(changePasswordRules), async (req, res) => {
    const input = matchedData<{ currentPassword: string; newPassword: string }>(req);
    await accounts.changePassword(signedInUser(req).id, input, req.sessionId);
    res.status(200).json({});
  });

  router.get('/currentuser', (req, res) => {
    res.json({ currentUser: req.currentUser ?? null });
  });

  return router;
}
