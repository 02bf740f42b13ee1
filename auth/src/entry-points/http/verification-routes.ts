import { Router } from 'express';
import { matchedData } from 'express-validator';
import { requireAuth, signedInUser, startSession, validateRequest } from '@postline/common';
import type { EmailVerification } from '../../domain/email-verification';
import type { Sessions } from '../../domain/sessions';
import type { AccountRouteSettings } from './account-routes';
import { credentialRateLimit } from './credential-rate-limit';
import { changeEmailRules, completePasswordResetRules, passwordResetRules, verifyEmailRules } from './validators';

/**
 * The emailed links: POST /verify-email, /me/verification (another link), /me/email (a new
 * address), /password-reset (a link) and /password-reset/complete. Whatever sends mail answers
 * 202 `{}` whether or not an address has an account. Links are followed by a POST from the page
 * they open, so a mail scanner that fetches links cannot use them up.
 */
export function verificationRoutes(
  verification: EmailVerification,
  sessions: Sessions,
  settings: AccountRouteSettings,
): Router {
  const router = Router();
  // Each mail sent is limited like a sign-in attempt: per client address.
  const limited = credentialRateLimit(settings.rateLimit.max, settings.rateLimit.windowMs);

  router.post('/verify-email', limited, validateRequest(verifyEmailRules), async (req, res) => {
    const user = await verification.verify(matchedData<{ token: string }>(req).token);
    // The session of the account proven here carries its new address and role at once: it is
    // replaced (a role that changed has ended every session of the account already).
    if (req.currentUser?.id === user.id) {
      if (req.sessionId) await sessions.end(req.sessionId);
      startSession(req, user, await sessions.start(user.id), settings.privateKeyPem);
    }
    res.json(user);
  });

  router.post('/me/verification', requireAuth, limited, async (req, res) => {
    await verification.resendVerification(signedInUser(req).id);
    res.status(202).json({});
  });

  router.post('/me/email', requireAuth, limited, validateRequest(changeEmailRules), async (req, res) => {
    await verification.requestEmailChange(signedInUser(req).id, matchedData<{ email: string; password: string }>(req));
    res.status(202).json({});
  });

  router.post('/password-reset', limited, validateRequest(passwordResetRules), async (req, res) => {
    await verification.requestPasswordReset(matchedData<{ email: string }>(req).email);
    res.status(202).json({});
  });

  router.post('/password-reset/complete', limited, validateRequest(completePasswordResetRules), async (req, res) => {
    const input = matchedData<{ token: string; password: string }>(req);
    const user = await verification.resetPassword(input.token, input.password);
    // Every session of the account has ended (EmailVerification.resetPassword); this one starts.
    startSession(req, user, await sessions.start(user.id), settings.privateKeyPem);
    res.json(user);
  });

  return router;
}
