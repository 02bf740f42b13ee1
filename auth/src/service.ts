import { Router } from 'express';
import { WriteLimits, type ServiceContext, type ServiceDefinition } from '@postline/common';
import type { AuthConfig } from './config';
import { sessionModel } from './data-access/session-model';
import { SessionRepository } from './data-access/session-repository';
import { userModel } from './data-access/user-model';
import { UserRepository } from './data-access/user-repository';
import { Accounts } from './domain/accounts';
import { Profiles } from './domain/profiles';
import { Sessions } from './domain/sessions';
import { accountRoutes } from './entry-points/http/account-routes';
import { profileRoutes } from './entry-points/http/profile-routes';

/** auth: users, credentials, sessions, roles and follows. Publishes user.* and session.ended; consumes nothing. */
export function authService(config: AuthConfig): ServiceDefinition<AuthConfig> {
  const domain = ({ db, relay, tokens }: ServiceContext<AuthConfig>) => {
    const users = new UserRepository(db, relay);
    const sessions = new Sessions(new SessionRepository(db, relay), config.JWT_TTL_SECONDS, tokens.endedSessions);
    const accounts = new Accounts(users, sessions, {
      moderatorEmails: config.moderatorEmails,
      passwordHashing: {
        cost: config.PASSWORD_SCRYPT_COST,
        blockSize: 8,
        parallelization: config.PASSWORD_SCRYPT_PARALLELIZATION,
      },
    });
    return { users, sessions, accounts };
  };
  return {
    name: 'auth',
    prefix: '/api/users',
    outboxModels: (db) => [userModel(db), sessionModel(db)],
    prepare: async (context) => {
      await userModel(context.db).init(); // unique indexes on email and username
      await sessionModel(context.db).init();
      // A moderator taken off the list (or put on it) since the last start: their role changes now.
      const changed = await domain(context).accounts.applyModeratorList();
      if (changed > 0) context.logger.info({ users: changed }, 'roles changed to follow MODERATOR_EMAILS');
    },
    routes: (context) => {
      const { users, sessions, accounts } = domain(context);
      const router = Router();
      router.use(
        accountRoutes(accounts, sessions, {
          privateKeyPem: config.JWT_PRIVATE_KEY,
          rateLimit: { max: config.AUTH_RATE_LIMIT_MAX, windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS },
        }),
      );
      router.use(profileRoutes(new Profiles(users), new WriteLimits(config)));
      return router;
    },
  };
}
