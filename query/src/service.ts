import { Router } from 'express';
import type { ServiceContext, ServiceDefinition } from '@postline/common';
import type { QueryConfig } from './config';
import { AnswerCache } from './data-access/answer-cache';
import { ReadModelQueries } from './data-access/read-model-queries';
import { ensureReadModelIndexes, readModels } from './data-access/read-models';
import type { Answer } from './domain/answer-template';
import { ReadSide, type FollowingEntry, type ReadCaches } from './domain/read-side';
import { ChangeNotices } from './entry-points/events/change-notices';
import { liveChangesReader } from './entry-points/events/live-changes-reader';
import { liveDriver } from './drivers/live-driver';
import { registerReadModelListeners } from './entry-points/events/read-model-listeners';
import { SearchIndex } from './data-access/search-index';
import { installFrontDoor } from './entry-points/http/front-door';
import { LiveHub } from './entry-points/http/live-hub';
import { liveRoutes } from './entry-points/http/live-route';
import { queryRoutes } from './entry-points/http/query-routes';
import { searchRoutes } from './entry-points/http/search-route';
import { ensureReplayed } from './rebuild/replay-into-read-models';

function modelsOf(ctx: ServiceContext) {
  const db = ctx.db.db;
  if (!db) throw new Error('MongoDB is not connected');
  return { db, models: readModels(db) };
}

/** What the front door (and the tests) need from a running query service. */
export interface QueryParts {
  caches: ReadCaches;
  readSide: ReadSide;
  notices: ChangeNotices;
  /** The live event streams of this replica. */
  live: LiveHub;
  /** This replica's full-text index of the published posts. */
  search: SearchIndex;
}

export type QueryServiceDefinition = ServiceDefinition<QueryConfig> & { parts: () => QueryParts };

/**
 * query: denormalised read models built from every event, and the public
 * reads over them, answered from in-process caches that change notices keep
 * exact on every replica. Publishes no events. Before it listens, an empty
 * read-model database is filled by replaying the streams from the start (see
 * rebuild/).
 */
export function queryService(config: QueryConfig): QueryServiceDefinition {
  const caches: ReadCaches = {
    answers: new AnswerCache<Answer>({
      maxEntries: config.QUERY_CACHE_ENTRIES,
      maxBytes: config.QUERY_CACHE_MB * 1024 * 1024,
      maxAgeMs: config.QUERY_CACHE_MAX_AGE_MS,
    }),
    viewers: new AnswerCache<FollowingEntry>({
      maxEntries: config.QUERY_CACHE_ENTRIES,
      maxBytes: (config.QUERY_CACHE_MB * 1024 * 1024) / 4,
      maxAgeMs: config.QUERY_CACHE_MAX_AGE_MS,
    }),
  };
  let parts: QueryParts | undefined;
  const prefix = '/api/query';
  return {
    name: 'query',
    prefix,
    prepare: async (ctx) => {
      const { db, models } = modelsOf(ctx);
      await ensureReadModelIndexes(models);
      await ensureReplayed({
        db,
        bus: ctx.bus,
        models,
        driver: liveDriver(models),
        logger: ctx.logger,
        service: 'query',
        maxDeliveries: config.EVENT_MAX_DELIVERIES,
        ackWaitMs: config.EVENT_ACK_WAIT_MS,
        concurrency: config.QUERY_REPLAY_CONCURRENCY,
        batchSize: config.QUERY_REPLAY_BATCH,
        leaseMs: config.QUERY_REPLAY_LEASE_MS,
      });
      // Listening for notices before serving anything: nothing is cached that a missed notice could leave stale.
      const live = new LiveHub({
        maxConnections: config.QUERY_LIVE_MAX_CONNECTIONS,
        maxPerClient: config.QUERY_LIVE_MAX_PER_CLIENT,
        heartbeatMs: config.QUERY_LIVE_HEARTBEAT_MS,
        replaySize: config.QUERY_LIVE_REPLAY_SIZE,
        read: liveChangesReader(models),
        logger: ctx.logger,
      });
      // Subscribed before it loads: a change written during the load is read back after it.
      const search = new SearchIndex(models.posts, ctx.logger);
      const notices = new ChangeNotices(
        ctx.bus,
        { caches: [caches.answers, caches.viewers], followers: [search], live },
        ctx.logger,
      );
      notices.start();
      await search.load();
      parts = { caches, notices, live, search, readSide: new ReadSide(new ReadModelQueries(models), caches) };
    },
    routes: () => {
      const router = Router();
      router.use(queryRoutes(partsOf().readSide));
      router.use(liveRoutes(partsOf().live));
      router.use(
        searchRoutes(partsOf().search, {
          maxChars: config.QUERY_SEARCH_MAX_CHARS,
          maxTerms: config.QUERY_SEARCH_MAX_TERMS,
          maxLimit: config.QUERY_SEARCH_MAX_LIMIT,
        }),
      );
      return router;
    },
    listeners: (listener, ctx) => {
      const { models } = modelsOf(ctx);
      registerReadModelListeners(listener, liveDriver(models), partsOf().notices);
    },
    // The front door answers cached reads on the HTTP server before Express (see front-door.ts).
    started: (service) =>
      installFrontDoor(service.server, {
        readSide: partsOf().readSide,
        tokens: service.context.tokens,
        logger: service.context.logger,
        prefix,
        metrics: service.metrics,
      }),
    stopping: () => parts?.live.close(),
    parts: () => partsOf(),
  };

  function partsOf(): QueryParts {
    if (!parts) throw new Error('the query service is not prepared yet');
    return parts;
  }
}
