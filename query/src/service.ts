import { Router } from 'express';
import type { ServiceContext, ServiceDefinition } from '@postline/common';
import type { QueryConfig } from './config';
import { ReadModelQueries } from './data-access/read-model-queries';
import { ensureReadModelIndexes, readModels } from './data-access/read-models';
import { ReadSide } from './domain/read-side';
import { readModelHandlers, registerReadModelListeners } from './entry-points/events/read-model-handlers';
import { queryRoutes } from './entry-points/http/query-routes';
import { ensureReplayed } from './rebuild/replay-into-read-models';

function modelsOf(ctx: ServiceContext) {
  const db = ctx.db.db;
  if (!db) throw new Error('MongoDB is not connected');
  return { db, models: readModels(db) };
}

/**
 * query: denormalised read models built from every event, and the public
 * reads over them. Publishes nothing. Before it listens, an empty read-model
 * database is filled by replaying the streams from the start (see rebuild/).
 */
export function queryService(config: QueryConfig): ServiceDefinition {
  return {
    name: 'query',
    prefix: '/api/query',
    prepare: async (ctx) => {
      const { db, models } = modelsOf(ctx);
      await ensureReadModelIndexes(models);
      await ensureReplayed({
        db,
        bus: ctx.bus,
        handlers: readModelHandlers(models),
        logger: ctx.logger,
        service: 'query',
        maxDeliveries: config.EVENT_MAX_DELIVERIES,
        concurrency: config.QUERY_REPLAY_CONCURRENCY,
        leaseMs: config.QUERY_REPLAY_LEASE_MS,
      });
    },
    routes: (ctx) => {
      const router = Router();
      router.use(queryRoutes(new ReadSide(new ReadModelQueries(modelsOf(ctx).models))));
      return router;
    },
    listeners: (listener, ctx) => {
      registerReadModelListeners(listener, readModelHandlers(modelsOf(ctx).models));
    },
  };
}
