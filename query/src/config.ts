import { defineServiceConfig, type ConfigOf } from '@postline/common';
import { z } from 'zod';

const queryEnv = z.object({
  /**
   * How long a replica that replays the streams into an empty database may go
   * without a heartbeat before another replica takes the replay over.
   */
  QUERY_REPLAY_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** Events applied concurrently during a replay's retries through the live driver (always in order per aggregate). */
  QUERY_REPLAY_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
  /** Events folded into one batch of reads and bulk writes during a replay. */
  QUERY_REPLAY_BATCH: z.coerce.number().int().min(1).max(20_000).default(5_000),
  /** Memory for cached answers (MiB, roughly: the JSON twice); the least recently used go first. */
  QUERY_CACHE_MB: z.coerce.number().min(0).default(24),
  QUERY_CACHE_ENTRIES: z.coerce.number().int().min(0).default(5_000),
  /** A safety net only: change notices drop answers the moment they change. */
  QUERY_CACHE_MAX_AGE_MS: z.coerce.number().int().min(0).default(300_000),
  /** Open live event streams (`GET /live`) one replica serves at most; more get 503. */
  QUERY_LIVE_MAX_CONNECTIONS: z.coerce.number().int().min(0).default(2_000),
  /**
   * Open live streams one client (a signed-in user, else an address) has on one replica at most;
   * more get 429. A reader has one per open post page: a few tabs, not dozens.
   */
  QUERY_LIVE_MAX_PER_CLIENT: z.coerce.number().int().min(1).default(8),
  /** How often each live stream gets a comment line (below every proxy's idle timeout: nginx 60 s). */
  QUERY_LIVE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(55_000).default(15_000),
  /** Live changes kept per replica for resuming with Last-Event-ID; older resumes are told to reload. */
  QUERY_LIVE_REPLAY_SIZE: z.coerce.number().int().min(1).max(100_000).default(5_000),
  /**
   * The cost bound of `GET /search` (a query past it is a 400): its length in characters, its
   * words (each one is a walk of the index, fuzzy when long), and the results of one page.
   */
  QUERY_SEARCH_MAX_CHARS: z.coerce.number().int().min(1).max(1_000).default(100),
  QUERY_SEARCH_MAX_TERMS: z.coerce.number().int().min(1).max(50).default(6),
  QUERY_SEARCH_MAX_LIMIT: z.coerce.number().int().min(1).max(100).default(20),
});

/** The configuration every service shares (see common/src/config), replay, cache, live-stream and search settings. */
export const queryConfigSchema = defineServiceConfig('query', queryEnv);

export type QueryConfig = ConfigOf<typeof queryConfigSchema>;
