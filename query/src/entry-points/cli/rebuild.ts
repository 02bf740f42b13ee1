/**
 * `npm run rebuild -w @postline/query`: drops the query read models and
 * replays every stream from the start into them. Stop the query service first
 * (locally: stop `npm start`; on Kubernetes: scale the deployment to 0), then
 * start it again: it continues from where the replay ended. Uses the service's
 * own configuration (QUERY_MONGO_URL or MONGO_URL, NATS_URL, EVENTS_NAMESPACE).
 */
import mongoose from 'mongoose';
import { ConfigError, createLogger, EventBus } from '@postline/common';
import { queryConfigSchema } from '../../config';
import { rebuildReadModels } from '../../rebuild/rebuild-read-models';

async function main(): Promise<void> {
  const config = queryConfigSchema.load();
  const logger = createLogger('query-rebuild', config.LOG_LEVEL);
  const connection = await mongoose.createConnection(config.mongoUrl).asPromise();
  const bus = await EventBus.connect({
    url: config.NATS_URL,
    name: 'query-rebuild',
    namespace: config.EVENTS_NAMESPACE,
    logger,
  });
  try {
    await rebuildReadModels({
      db: connection.db!,
      bus,
      logger,
      maxDeliveries: config.EVENT_MAX_DELIVERIES,
      ackWaitMs: config.EVENT_ACK_WAIT_MS,
      concurrency: config.QUERY_REPLAY_CONCURRENCY,
      batchSize: config.QUERY_REPLAY_BATCH,
      leaseMs: config.QUERY_REPLAY_LEASE_MS,
    });
  } finally {
    await bus.close();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `query rebuild: ${err instanceof ConfigError ? err.message : ((err as Error)?.stack ?? String(err))}\n`,
    );
    process.exit(1);
  },
);
