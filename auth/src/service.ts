import { Router } from 'express';
import { WriteLimits, type ServiceDefinition } from '@postline/common';
import type { AuthConfig } from './config';
import { userModel } from './data-access/user-model';
import { UserRepository } from './data-access/user-repository';
import { Accounts } from './domain/accounts';
import { Profiles } from './domain/profiles';
import { accountRoutes } from './entry-points/http/account-routes';
import { profileRoutes } from './entry-points/http/profile-routes';

/** auth: users, credentials, roles and follows. Publishes user.*; consumes nothing. */
export function authService(config: AuthConfig): ServiceDefinition<AuthConfig> {
  return {
    name: 'auth',
    prefix: '/api/users',
    outboxModels: (db) => [userModel(db)],
    prepare: async ({ db }) => {
      await userModel(db).init(); // unique indexes on email and username
    },
    routes: ({ db, relay }) => {
      const users = new UserRepository(db, relay);
      const router = Router();
      router.use(
        accountRoutes(
          new Accounts(users, { moderatorEmails: config.moderatorEmails, scryptCost: config.PASSWORD_SCRYPT_COST }),
          {
            jwtKey: config.JWT_KEY,
            jwtTtlSeconds: config.JWT_TTL_SECONDS,
            rateLimit: { max: config.AUTH_RATE_LIMIT_MAX, windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS },
          },
        ),
      );
      router.use(profileRoutes(new Profiles(users), new WriteLimits(config)));
      return router;
    },
  };
}
