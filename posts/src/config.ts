import { loadServiceConfig, writeRateLimitEnv } from '@postline/common';

/** The configuration every service shares (see common/src/config) and the per-user write limit. */
export function loadPostsConfig(env: Record<string, string | undefined> = process.env) {
  return loadServiceConfig('posts', env, writeRateLimitEnv);
}

export type PostsConfig = ReturnType<typeof loadPostsConfig>;
