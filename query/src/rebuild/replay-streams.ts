import { DeliverPolicy } from '@nats-io/jetstream';
import {
  RetryLaterError,
  streamFamilies,
  validateEvent,
  type AnyEventEnvelope,
  type EventBus,
  type Subject,
} from '@postline/common';
import type { Logger } from 'pino';
import type { ReadModelHandler, ReadModelHandlers } from '../entry-points/events/handlers';
import type { ConsumerStart } from './durable-consumers';

export interface ReplayOptions {
  /** Events in flight at once; events of one aggregate are always applied one after the other. */
  concurrency: number;
  logger: Logger;
  /** Called between events; throwing stops the replay (e.g. the replay lease was lost). */
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
 * Replays the streams from their first message into the read models, through
 * the same handlers as the live path, stream by stream in dependency order
 * (users, then posts, then comments, which refer to posts), each in stream
 * order. Events of one aggregate run in order; different aggregates run
 * concurrently for throughput.
 *
 * The end of each stream is captured before anything is read, in reverse
 * dependency order (comments first), so every post a replayed comment refers
 * to lies within the replayed part of the posts stream. An event that still
 * cannot be applied after its stream was read (RetryLaterError) makes the live
 * consumer start at it: what follows is delivered again, and the handlers
 * ignore what they already applied.
 */
export async function replayStreams(
  bus: EventBus,
  handlers: ReadModelHandlers,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const ends = new Map<string, number>();
  for (const { stream } of [...streamFamilies].reverse()) {
    const name = bus.names.stream(stream);
    ends.set(name, (await bus.jsm.streams.info(name)).state.last_seq);
  }

  const result: ReplayResult = { starts: [], applied: 0, skippedInvalid: 0 };
  for (const { stream, family } of streamFamilies) {
    const name = bus.names.stream(stream);
    const end = ends.get(name) ?? 0;
    const stuck = await replayOne(bus, name, end, handlers, options, result);
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
  handlers: ReadModelHandlers,
  options: ReplayOptions,
  result: ReplayResult,
): Promise<number | undefined> {
  if (end === 0) return undefined;
  const lanes = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  const deferred: { seq: number; event: AnyEventEnvelope }[] = [];
  let failure: unknown;

  const apply = async (seq: number, event: AnyEventEnvelope) => {
    // Database errors may be transient (a dropped connection, a failover):
    // retry them a few times before giving up.
    for (let attempt = 0; ; attempt++) {
      try {
        await (handlers[event.subject] as ReadModelHandler<Subject>)(event);
        result.applied++;
        return;
      } catch (err) {
        if (err instanceof RetryLaterError) {
          deferred.push({ seq, event });
          return;
        }
        if (attempt >= 5) {
          failure ??= err;
          return;
        }
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  };

  const consumer = await bus.js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume({ max_messages: 512 });
  for await (const msg of messages) {
    options.checkpoint?.();
    if (failure) break;
    let event: AnyEventEnvelope | undefined;
    try {
      event = validateEvent(JSON.parse(msg.string()));
    } catch {
      result.skippedInvalid++;
    }
    if (event) {
      const key = laneKey(event);
      const seq = msg.seq;
      const found = event;
      const run = (lanes.get(key) ?? Promise.resolve()).then(() => apply(seq, found));
      lanes.set(key, run);
      inFlight.add(run);
      void run.then(() => {
        inFlight.delete(run);
        if (lanes.get(key) === run) lanes.delete(key);
      });
      if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    }
    if (msg.seq >= end || msg.info.pending === 0) break;
  }
  messages.stop();
  await Promise.all(inFlight);
  if (failure) throw failure;

  // Whatever waited on something later in the same stream has it now.
  deferred.sort((a, b) => a.seq - b.seq);
  let pending = deferred.splice(0);
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    for (const { seq, event } of pending) await apply(seq, event);
    if (failure) throw failure;
    pending = deferred.splice(0).sort((a, b) => a.seq - b.seq);
  }
  if (pending.length > 0) {
    options.logger.warn(
      { stream, count: pending.length, first: pending[0]?.seq },
      'events left for the live consumer to retry',
    );
  }
  return pending[0]?.seq;
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
