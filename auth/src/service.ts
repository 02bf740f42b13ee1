import { Router } from 'express';
import { WriteLimits, type ServiceDefinition } from '@postline/common';
import type { AuthConfig } from './config';
import { EmailLinkRepository } from './data-access/email-link-repository';
import { prepareUserIndexes, userModel } from './data-access/user-model';
import { UserRepository } from './data-access/user-repository';
import { Accounts } from './domain/accounts';
import { EmailVerification } from './domain/email-verification';
import { Profiles } from './domain/profiles';
import { accountRoutes } from './entry-points/http/account-routes';
import { profileRoutes } from './entry-points/http/profile-routes';
import { verificationRoutes } from './entry-points/http/verification-routes';
import { Mailer } from './mail/mailer';

/** auth: users, credentials, roles and follows. Publishes user.*; consumes nothing. */
export function authService(config: AuthConfig): ServiceDefinition<AuthConfig> {
  return {
    name: 'auth',
    prefix: '/api/users',
    outboxModels: (db) => [userModel(db)],
    prepare: async ({ db }) => {
      await prepareUserIndexes(db); // unique username; unique verified address
      await new EmailLinkRepository(db).init();
    },
    routes: ({ db, relay, logger }) => {
      const users = new UserRepository(db, relay);
      const settings = {
        jwtKey: config.JWT_KEY,
        jwtTtlSeconds: config.JWT_TTL_SECONDS,
        rateLimit: { max: config.AUTH_RATE_LIMIT_MAX, windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS },
      };
      const verification = new EmailVerification(users, new EmailLinkRepository(db), new Mailer(config), {
        logger,
        moderatorEmails: config.moderatorEmails,
        scryptCost: config.PASSWORD_SCRYPT_COST,
        publicUrl: config.PUBLIC_URL.replace(/\/+$/, ''),
        verifyTtlMinutes: config.VERIFY_LINK_TTL_MINUTES,
        resetTtlMinutes: config.RESET_LINK_TTL_MINUTES,
      });
      const router = Router();
      router.use(
        accountRoutes(
          new Accounts(users, { moderatorEmails: config.moderatorEmails, scryptCost: config.PASSWORD_SCRYPT_COST }),
          verification,
          settings,
        ),
      );
      router.use(verificationRoutes(verification, settings));
      router.use(profileRoutes(new Profiles(users), new WriteLimits(config)));
      return router;
    },
  };
}
