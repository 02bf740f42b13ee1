import { DeliverPolicy } from '@nats-io/jetstream';
import { RetryLaterError, streamFamilies, validateEvent, type AnyEventEnvelope, type EventBus } from '@postline/common';
import type { Logger } from 'pino';
import type { ReadModels } from '../data-access/read-models';
import type { LiveDriver } from '../drivers/live-driver';
import type { ConsumerStart } from './durable-consumers';
import { commentFold, postFold, userFold, type Sequenced, type StreamFold } from './replay-driver';
import { replayMemory, type ReplayMemory } from './written-ids';

export interface ReplayOptions {
  /** Events in flight at once when retrying deferred events through the live driver (one at a time per aggregate). */
  concurrency: number;
  /** Events folded into one batch of reads and bulk writes. */
  batchSize: number;
  logger: Logger;
  /** Called before each batch's writes; throwing stops the replay (e.g. the replay lease was lost). */
  checkpoint?: () => void;
}

export interface ReplayResult {
  /** Where each live durable consumer must start so that nothing is missed. */
  starts: ConsumerStart[];
  applied: number;
  /** Events that failed validation: the live consumers dead-lettered them when they first came. */
  skippedInvalid: number;
}

/**
 * Replays the streams from their first message into the read models, stream
 * by stream in dependency order (users, then posts, then comments, which refer
 * to posts), each in stream order, in batches: many messages per pull, one
 * read of each document a batch touches, bulk writes (see replay-driver.ts).
 *
 * The end of each stream is captured before anything is read, in reverse
 * dependency order (comments first), so every post a replayed comment refers
 * to lies within the replayed part of the posts stream. An event that cannot
 * be applied in its batch (it waits for something later in the stream) is
 * retried through the live driver after the stream, with every later event
 * of its aggregate; one that still cannot be applied makes the live consumer
 * start at it: what follows is delivered again, and the driver ignores what
 * they already applied.
 */
export async function replayStreams(
  bus: EventBus,
  models: ReadModels,
  driver: LiveDriver,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const ends = new Map<string, number>();
  for (const { stream } of [...streamFamilies].reverse()) {
    const name = bus.names.stream(stream);
    ends.set(name, (await bus.jsm.streams.info(name)).state.last_seq);
  }
  const memory = replayMemory();
  const folds: Record<(typeof streamFamilies)[number]['family'], StreamFold> = {
    user: userFold(models, memory),
    post: postFold(models, memory),
    comment: commentFold(models, memory),
  };

  const result: ReplayResult = { starts: [], applied: 0, skippedInvalid: 0 };
  for (const { stream, family } of streamFamilies) {
    const name = bus.names.stream(stream);
    const end = ends.get(name) ?? 0;
    const stuck = await replayOne(bus, name, end, folds[family], driver, options, result, memory[`${family}s`]);
    result.starts.push({ stream: name, family, startSequence: stuck ?? end + 1 });
    options.logger.info({ stream: name, end, stuck }, 'stream replayed');
  }
  return result;
}

/** @returns the first sequence that could not be applied, if any */
async function replayOne(
  bus: EventBus,
  stream: string,
  end: number,
  fold: StreamFold,
  driver: LiveDriver,
  options: ReplayOptions,
  result: ReplayResult,
  written: ReplayMemory[keyof ReplayMemory],
): Promise<number | undefined> {
  if (end === 0) return undefined;
  const consumer = await bus.js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  // Pulls keep coming while a batch is written: up to a batch ahead.
  const messages = await consumer.consume({ max_messages: Math.max(options.batchSize, 256) });
  async function* batches(): AsyncGenerator<Sequenced[]> {
    let batch: Sequenced[] = [];
    for await (const msg of messages) {
      try {
        batch.push({ seq: msg.seq, event: validateEvent(JSON.parse(msg.string())) });
      } catch {
        result.skippedInvalid++;
      }
      const last = msg.seq >= end || msg.info.pending === 0;
      if (batch.length >= options.batchSize || (last && batch.length > 0)) {
        yield batch;
        batch = [];
      }
      if (last) break;
    }
  }
  try {
    const stuck = await foldStream(batches(), fold, driver, options, result, written);
    if (stuck.length > 0) {
      options.logger.warn(
        { stream, count: stuck.length, first: stuck[0]?.seq },
        'events left for the live consumer to retry',
      );
    }
    return stuck[0]?.seq;
  } finally {
    messages.stop();
  }
}

/**
 * The replay driver over one stream: its batches folded in order (a batch is
 * written while the next one is read and parsed), then whatever waited on
 * something later in the same stream, which is there now, through the live
 * driver, in order per aggregate, a few rounds.
 * @returns the events still waiting, in stream order
 */
export async function foldStream(
  batches: AsyncIterable<Sequenced[]>,
  fold: StreamFold,
  driver: LiveDriver,
  options: ReplayOptions,
  result: Pick<ReplayResult, 'applied'>,
  written: ReplayMemory[keyof ReplayMemory],
): Promise<Sequenced[]> {
  const deferred: Sequenced[] = [];
  // One at a time, since a batch reads what the one before it wrote.
  let writing: Promise<void> = Promise.resolve();
  const write = (batch: Sequenced[]) => {
    writing = (async () => {
      options.checkpoint?.();
      const outcome = await fold.apply(batch);
      result.applied += outcome.applied;
      deferred.push(...outcome.deferred);
    })();
    // Thrown where it is awaited (the next batch, or the end), not as an unhandled rejection meanwhile.
    writing.catch(() => undefined);
  };
  for await (const batch of batches) {
    await writing;
    write(batch);
  }
  await writing;

  deferred.sort((a, b) => a.seq - b.seq);
  // The live driver writes what the replay does not remember.
  if (deferred.length > 0) written.distrust();
  let pending = deferred;
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    pending = await retryThroughDriver(pending, driver, options);
  }
  result.applied += deferred.length - pending.length;
  return pending;
}

/**
 * Applies events through the live driver, concurrently across aggregates; within
 * one, lowest version first, as the live listener does (a stream may hold an
 * aggregate's events out of order). The driver never applies an
 * event out of order, so one that waits does not stop the others from being
 * tried: returns those still waiting.
 */
async function retryThroughDriver(
  events: Sequenced[],
  driver: LiveDriver,
  options: ReplayOptions,
): Promise<Sequenced[]> {
  const lanes = new Map<string, Sequenced[]>();
  for (const item of events) {
    const key = laneKey(item.event);
    const lane = lanes.get(key);
    if (lane) lane.push(item);
    else lanes.set(key, [item]);
  }
  const waiting: Sequenced[] = [];
  const queue = [...lanes.values()].map((lane) =>
    lane.sort((a, b) => a.event.version - b.event.version || a.seq - b.seq),
  );
  const worker = async () => {
    for (let lane = queue.shift(); lane; lane = queue.shift()) {
      for (const item of lane) {
        options.checkpoint?.();
        if ((await applyWithRetries(item.event, driver)) === 'wait') waiting.push(item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
  return waiting.sort((a, b) => a.seq - b.seq);
}

/** Database errors may be transient (a dropped connection, a failover): retried a few times before giving up. */
async function applyWithRetries(event: AnyEventEnvelope, driver: LiveDriver): Promise<'done' | 'wait'> {
  for (let attempt = 0; ; attempt++) {
    try {
      await driver.apply(event);
      return 'done';
    } catch (err) {
      if (err instanceof RetryLaterError) return 'wait';
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
  }
}

/** Events that must apply in order share a lane: those of one aggregate (a like or a decision joins its post or comment). */
function laneKey(event: AnyEventEnvelope): string {
  const data = event.data as { postId?: string; commentId?: string; id?: string };
  switch (event.subject) {
    case 'post.liked':
    case 'post.unliked':
      return `post:${data.postId}`;
    case 'comment.moderated':
      return `comment:${data.commentId}`;
    default:
      return `${event.subject.split('.')[0]}:${event.aggregateId}`;
  }
}
