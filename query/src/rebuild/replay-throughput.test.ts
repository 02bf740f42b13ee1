import { EventFactory, uniqueNamespace } from '@postline/common/testing';
import { pino } from 'pino';
import { connectBus, openDatabase } from '../testing/start-query';
import { workload } from '../testing/workload';
import { testServiceConfig } from '@postline/common/testing';
import { rebuildReadModels } from './rebuild-read-models';

/**
 * Replay speed, for the benchmark's target (≥ 10,000 events/s). Opt-in
 * (QUERY_PERF=1): it publishes tens of thousands of events, too heavy for
 * every run on a shared machine. QUERY_PERF_USERS × QUERY_PERF_POSTS sizes the
 * history (about 6 events per post).
 */
const perf = process.env.QUERY_PERF === '1' ? it : it.skip;

perf(
  'replays the streams quickly',
  async () => {
    const namespace = uniqueNamespace();
    const bus = await connectBus(namespace);
    const events = new EventFactory(bus);
    const all = workload(events, {
      users: Number(process.env.QUERY_PERF_USERS ?? 40),
      postsPerUser: Number(process.env.QUERY_PERF_POSTS ?? 10),
    });
    const publishStarted = Date.now();
    for (let i = 0; i < all.length; i += 500) await Promise.all(all.slice(i, i + 500).map((e) => bus.publish(e)));
    process.stdout.write(`published ${all.length} events in ${Date.now() - publishStarted} ms\n`);
    const config = testServiceConfig('query', namespace);
    const { db, close } = await openDatabase(config.mongoUrl);
    const started = Date.now();
    await rebuildReadModels({
      db,
      bus,
      logger: pino({ level: 'silent' }),
      maxDeliveries: 4,
      concurrency: Number(process.env.QUERY_PERF_CONCURRENCY ?? 16),
      leaseMs: 30_000,
    });
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `replayed ${all.length} events in ${seconds.toFixed(2)} s: ${Math.round(all.length / seconds)} events/s\n`,
    );
    await close();
    await bus.close();
  },
  300_000,
);
