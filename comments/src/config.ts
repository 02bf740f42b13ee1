import { loadServiceConfig, replicaCatchUpEnv, writeRateLimitEnv } from '@postline/common';

/** The configuration every service shares, the per-user write limit and how long a comment waits for its post (REPLICA_WAIT_MS). */
export function loadCommentsConfig(env: Record<string, string | undefined> = process.env) {
  return loadServiceConfig('comments', env, writeRateLimitEnv.extend(replicaCatchUpEnv.shape));
}

export type CommentsConfig = ReturnType<typeof loadCommentsConfig>;
