import { loadServiceConfig } from '@postline/common';
import { z } from 'zod';

const authEnv = z.object({
  /** Sign-in and sign-up attempts per client address per window. */
  AUTH_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(20),
  AUTH_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
  /** scrypt cost (N, a power of two): 2^15 uses 32 MiB per hash. */
  PASSWORD_SCRYPT_COST: z.coerce.number().int().min(1024).default(32_768),
});

export function loadAuthConfig(env: Record<string, string | undefined> = process.env) {
  return loadServiceConfig('auth', env, authEnv);
}

export type AuthConfig = ReturnType<typeof loadAuthConfig>;
