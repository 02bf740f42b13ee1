import { loadServiceConfig } from '@postline/common';
import { z } from 'zod';

const queryEnv = z.object({
  /**
   * How long a replica that replays the streams into an empty database may go
   * without a heartbeat before another replica takes the replay over.
   */
  QUERY_REPLAY_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** Events applied concurrently during a replay (always in order per aggregate). */
  QUERY_REPLAY_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
});

export function loadQueryConfig(env: Record<string, string | undefined> = process.env) {
  return loadServiceConfig('query', env, queryEnv);
}

export type QueryConfig = ReturnType<typeof loadQueryConfig>;
