import { loadServiceConfig, replicaCatchUpEnv, type ServiceConfig } from '@postline/common';
import type { z } from 'zod';
import { loadModerationRules, type ModerationRules } from './rules/moderation-rules';

type Env = Record<string, string | undefined>;

export type ModerationConfig = ServiceConfig & z.infer<typeof replicaCatchUpEnv> & { rules: ModerationRules };

/**
 * The shared service configuration, how long a decision waits for its comment (REPLICA_WAIT_MS),
 * plus the moderation rules (file and MODERATION_* overrides).
 */
export function loadModerationConfig(env: Env = process.env): ModerationConfig {
  return { ...loadServiceConfig('moderation', env, replicaCatchUpEnv), rules: loadModerationRules(env) };
}

/** The rules from a running service's configuration (loaded by loadModerationConfig). */
export function rulesOf(config: ServiceConfig): ModerationRules {
  const { rules } = config as Partial<ModerationConfig>;
  if (!rules) throw new Error('moderation needs its configuration from loadModerationConfig (the rules are missing)');
  return rules;
}
