import { loadServiceConfig } from '@postline/common';

/** comments needs nothing beyond the configuration every service shares. */
export function loadCommentsConfig(env: Record<string, string | undefined> = process.env) {
  return loadServiceConfig('comments', env);
}

export type CommentsConfig = ReturnType<typeof loadCommentsConfig>;
