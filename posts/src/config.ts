import { loadServiceConfig } from '@postline/common';

/** posts needs only the configuration every service shares (see common/src/config). */
export function loadPostsConfig(env: Record<string, string | undefined> = process.env) {
  return loadServiceConfig('posts', env);
}

export type PostsConfig = ReturnType<typeof loadPostsConfig>;
