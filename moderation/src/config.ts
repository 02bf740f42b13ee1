import { defineServiceConfig, replicaCatchUpEnv, writeRateLimitEnv, type ConfigOf } from '@postline/common';
import { loadModerationRules } from './rules/moderation-rules';

/**
 * The shared service configuration, the write limits (decisions per moderator), how long a decision
 * waits for its comment (REPLICA_WAIT_MS),
 * plus the moderation rules (file and MODERATION_* overrides): a bad rules file is reported
 * like any configuration problem.
 */
export const moderationConfigSchema = defineServiceConfig(
  'moderation',
  writeRateLimitEnv.extend(replicaCatchUpEnv.shape),
  (env) => ({
    rules: loadModerationRules(env),
  }),
);

export type ModerationConfig = ConfigOf<typeof moderationConfigSchema>;
