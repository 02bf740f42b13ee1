import { defineServiceConfig, replicaCatchUpEnv, writeRateLimitEnv, type ConfigOf } from '@postline/common';

/** The configuration every service shares, the per-user write limit and how long a comment waits for its post (REPLICA_WAIT_MS). */
export const commentsConfigSchema = defineServiceConfig('comments', writeRateLimitEnv.extend(replicaCatchUpEnv.shape));

export type CommentsConfig = ConfigOf<typeof commentsConfigSchema>;
