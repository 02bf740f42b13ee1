import { defineServiceConfig, tokenKey, writeRateLimitEnv, type ConfigOf } from '@postline/common';
import { z } from 'zod';
import { owaspScrypt } from './domain/password';
import { mailEnv } from './mail/mail-config';

const authEnv = writeRateLimitEnv.extend({
  /** Auth's private key (PEM, P-256): only auth signs session tokens; the other services get only the public key. */
  JWT_PRIVATE_KEY: tokenKey('private'),
  /** Sign-in and sign-up attempts per client address per window. */
  AUTH_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(20),
  AUTH_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
  /** scrypt cost (N, a power of two): 2^15 uses 32 MiB per hash. */
  PASSWORD_SCRYPT_COST: z.coerce.number().int().min(1024).default(owaspScrypt.cost),
  /** scrypt p: with N = 2^15 and r = 8, OWASP asks for 3 (domain/password.ts). */
  PASSWORD_SCRYPT_PARALLELIZATION: z.coerce.number().int().min(1).max(16).default(owaspScrypt.parallelization),
  ...mailEnv.shape,
});

/** The configuration every service shares (see common/src/config), the signing key, the write and sign-in rate limits, the hashing cost and mail. */
export const authConfigSchema = defineServiceConfig('auth', authEnv);

export type AuthConfig = ConfigOf<typeof authConfigSchema>;
