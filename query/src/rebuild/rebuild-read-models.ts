import type { EventBus } from '@postline/common';
import type { mongo } from 'mongoose';
import type { Logger } from 'pino';
import { ensureReadModelIndexes, readModels } from '../data-access/read-models';
import { liveDriver } from '../drivers/live-driver';
import { dropReadModels, ensureReplayed } from './replay-into-read-models';

export interface RebuildSetup {
  db: mongo.Db;
  bus: EventBus;
  logger: Logger;
  maxDeliveries: number;
  ackWaitMs?: number;
  concurrency: number;
  /** Events per batch (default 5,000). */
  batchSize?: number;
  leaseMs: number;
}

/**
 * Drops the read models and replays the streams from the start into them,
 * then points the durable consumers right after the replayed events. Run it
 * with the query service stopped (scaled to zero): a replica consuming while
 * the collections are dropped would write into them half-way.
 */
export async function rebuildReadModels(setup: RebuildSetup): Promise<void> {
  await dropReadModels(setup.db);
  const models = readModels(setup.db);
  await ensureReadModelIndexes(models);
  await ensureReplayed({
    ...setup,
    batchSize: setup.batchSize ?? 5_000,
    models,
    driver: liveDriver(models),
    service: 'query',
  });
}
