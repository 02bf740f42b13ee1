import { z } from 'zod';
import { defineServiceConfig, writeRateLimitEnv, type ConfigOf } from '@postline/common';

const postsEnv = writeRateLimitEnv.extend({
  /** How often each replica looks for scheduled drafts that are due (a post goes out at most this late). */
  POSTS_DUE_CHECK_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
});

/** The configuration every service shares (see common/src/config), the per-user write limit and the due-time check. */
export const postsConfigSchema = defineServiceConfig('posts', postsEnv);

export type PostsConfig = ConfigOf<typeof postsConfigSchema>;
