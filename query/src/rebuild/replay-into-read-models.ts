import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventBus } from '@postline/common';
import type { mongo } from 'mongoose';
import type { Logger } from 'pino';
import { ensureReadModelIndexes, readModelCollections, type ReadModels } from '../data-access/read-models';
import type { LiveDriver } from '../drivers/live-driver';
import { resetDurableConsumers } from './durable-consumers';
import { ReplayLease, replayMarkerCollection } from './replay-lease';
import { replayStreams } from './replay-streams';

export interface ReplaySetup {
  db: mongo.Db;
  bus: EventBus;
  models: ReadModels;
  driver: LiveDriver;
  logger: Logger;
  /** The durable consumers' name: the service name. */
  service: string;
  /** The settings the live consumers are recreated with after the replay. */
  maxDeliveries: number;
  ackWaitMs?: number;
  concurrency: number;
  batchSize: number;
  leaseMs: number;
}

/**
 * Before the live listener starts: if the read-model database is empty (no
 * replay marker), or holds read models of an older shape, replay the streams
 * from the start into it, then recreate the durable consumers to continue
 * right after what was replayed. Safe when several replicas start at once:
 * one replays, the others wait for it (see ReplayLease). Returns once the
 * read models hold the history.
 */
export async function ensureReplayed(setup: ReplaySetup): Promise<void> {
  const lease = new ReplayLease(setup.db, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, setup.leaseMs);
  let waitedLogged = false;
  for (;;) {
    const attempt = await lease.tryAcquire();
    if (attempt.outcome === 'complete') return;
    if (attempt.outcome === 'owner') {
      await replayAsOwner(setup, lease);
      return;
    }
    if (!waitedLogged) setup.logger.info('another replica is replaying the streams: waiting for it');
    waitedLogged = true;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function replayAsOwner(setup: ReplaySetup, lease: ReplayLease): Promise<void> {
  const started = Date.now();
  // Whatever is there (a replay that did not finish, read models of another shape) goes: the replay starts from empty.
  await dropCollections(setup.db, readModelCollections);
  await ensureReadModelIndexes(setup.models);
  setup.logger.info('replaying the streams from the start into empty read models');
  const beat = setInterval(() => void lease.heartbeat().catch(() => undefined), Math.max(250, setup.leaseMs / 4));
  try {
    const result = await replayStreams(setup.bus, setup.models, setup.driver, {
      concurrency: setup.concurrency,
      batchSize: setup.batchSize,
      logger: setup.logger,
      checkpoint: () => lease.assertHeld(),
    });
    await resetDurableConsumers(setup.bus, setup.service, setup, result.starts);
    await lease.complete(result.applied);
    const seconds = (Date.now() - started) / 1000;
    setup.logger.info(
      {
        applied: result.applied,
        skippedInvalid: result.skippedInvalid,
        seconds,
        perSecond: Math.round(result.applied / Math.max(seconds, 0.001)),
      },
      'replay complete',
    );
  } catch (err) {
    // Started over from empty by whoever comes next (this process restarted, or another replica), without waiting for the lease.
    if (!lease.lost) await lease.abandon().catch(() => undefined);
    throw err;
  } finally {
    clearInterval(beat);
  }
}

/** Drops the read models and the replay marker, so that the next replay starts from nothing (indexes are made again by ensureReadModelIndexes). */
export async function dropReadModels(db: mongo.Db): Promise<void> {
  await dropCollections(db, [...readModelCollections, replayMarkerCollection]);
}

async function dropCollections(db: mongo.Db, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      await db.collection(name).drop();
    } catch (err) {
      if ((err as { codeName?: string })?.codeName !== 'NamespaceNotFound' && !/not found/i.test(String(err)))
        throw err;
    }
  }
}
