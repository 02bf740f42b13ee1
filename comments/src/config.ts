import { loadServiceConfig, writeRateLimitEnv } from '@postline/common';

/** The configuration every service shares and the per-user write limit. */
export function loadCommentsConfig(env: Record<string, string | undefined> = process.env) {
  return loadServiceConfig('comments', env, writeRateLimitEnv);
}

export type CommentsConfig = ReturnType<typeof loadCommentsConfig>;
