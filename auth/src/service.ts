import { Router } from 'express';
import { WriteLimits, type ServiceContext, type ServiceDefinition } from '@postline/common';
import type { AuthConfig } from './config';
import { EmailLinkRepository } from './data-access/email-link-repository';
import { sessionModel } from './data-access/session-model';
import { SessionRepository } from './data-access/session-repository';
import { prepareUserIndexes, userModel } from './data-access/user-model';
import { UserRepository } from './data-access/user-repository';
import { Accounts } from './domain/accounts';
import { EmailVerification } from './domain/email-verification';
import { Profiles } from './domain/profiles';
import { Sessions } from './domain/sessions';
import { accountRoutes } from './entry-points/http/account-routes';
import { profileRoutes } from './entry-points/http/profile-routes';
import { verificationRoutes } from './entry-points/http/verification-routes';
import { Mailer } from './mail/mailer';

/** auth: users, credentials, proven addresses, sessions, roles and follows. Publishes user.* and session.ended; consumes nothing. */
export function authService(config: AuthConfig): ServiceDefinition<AuthConfig> {
  const passwordHashing = {
    cost: config.PASSWORD_SCRYPT_COST,
    blockSize: 8,
    parallelization: config.PASSWORD_SCRYPT_PARALLELIZATION,
  };
  const domain = ({ db, relay, tokens }: ServiceContext<AuthConfig>) => {
    const users = new UserRepository(db, relay);
    const sessions = new Sessions(new SessionRepository(db, relay), config.JWT_TTL_SECONDS, tokens.endedSessions);
    const accounts = new Accounts(users, sessions, { moderatorEmails: config.moderatorEmails, passwordHashing });
    return { users, sessions, accounts };
  };
  return {
    name: 'auth',
    prefix: '/api/users',
    outboxModels: (db) => [userModel(db), sessionModel(db)],
    prepare: async (context) => {
      await prepareUserIndexes(context.db); // unique username; unique verified address
      await new EmailLinkRepository(context.db).init();
      await sessionModel(context.db).init();
      // A moderator taken off the list (or put on it) since the last start: their role changes now.
      const changed = await domain(context).accounts.applyModeratorList();
      if (changed > 0) context.logger.info({ users: changed }, 'roles changed to follow MODERATOR_EMAILS');
    },
    routes: (context) => {
      const { users, sessions, accounts } = domain(context);
      const settings = {
        privateKeyPem: config.JWT_PRIVATE_KEY,
        rateLimit: { max: config.AUTH_RATE_LIMIT_MAX, windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS },
      };
      const verification = new EmailVerification(
        users,
        new EmailLinkRepository(context.db),
        new Mailer(config),
        sessions,
        {
          logger: context.logger,
          moderatorEmails: config.moderatorEmails,
          passwordHashing,
          publicUrl: config.PUBLIC_URL.replace(/\/+$/, ''),
          verifyTtlMinutes: config.VERIFY_LINK_TTL_MINUTES,
          resetTtlMinutes: config.RESET_LINK_TTL_MINUTES,
        },
      );
      const router = Router();
      router.use(accountRoutes(accounts, sessions, verification, settings));
      router.use(verificationRoutes(verification, sessions, settings));
      router.use(profileRoutes(new Profiles(users), new WriteLimits(config)));
      return router;
    },
  };
}
