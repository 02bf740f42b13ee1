import { defineServiceConfig, writeRateLimitEnv, type ConfigOf } from '@postline/common';
import { z } from 'zod';
import { mailEnv } from './mail/mail-config';

const authEnv = writeRateLimitEnv.extend({
  /** Sign-in and sign-up attempts per client address per window. */
  AUTH_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(20),
  AUTH_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
  /** scrypt cost (N, a power of two): 2^15 uses 32 MiB per hash. */
  PASSWORD_SCRYPT_COST: z.coerce.number().int().min(1024).default(32_768),
  ...mailEnv.shape,
});

/** The configuration every service shares (see common/src/config), the write and sign-in rate limits, the hashing cost and mail. */
export const authConfigSchema = defineServiceConfig('auth', authEnv);

export type AuthConfig = ConfigOf<typeof authConfigSchema>;
