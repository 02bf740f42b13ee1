import { defineServiceConfig, replicaCatchUpEnv, type ConfigOf } from '@postline/common';
import { loadModerationRules } from './rules/moderation-rules';

/**
 * The shared service configuration, how long a decision waits for its comment (REPLICA_WAIT_MS),
 * plus the moderation rules (file and MODERATION_* overrides): a bad rules file is reported
 * like any configuration problem.
 */
export const moderationConfigSchema = defineServiceConfig('moderation', replicaCatchUpEnv, (env) => ({
  rules: loadModerationRules(env),
}));

export type ModerationConfig = ConfigOf<typeof moderationConfigSchema>;
