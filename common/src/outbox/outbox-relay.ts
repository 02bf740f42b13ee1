import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import type { AnyEventEnvelope, EventEnvelope } from '../events';
import type { OutboxEvent } from './outbox-writer';
import type { EventBus } from '../events/event-bus';
import { withinTime } from '../mongo/within-time';

/** How often to look for pending events when nothing failed here: what another replica's crash left. */
const SAFETY_SWEEP_MS = 30_000;
/**
 * A read or write of the outboxes without an answer in this long counts as failed (logged, swept
 * again). The marks of a collection are written one batch after another and a sweep goes document
 * by document, so one answer that never came would stop them for good: the fault matrix saw a
 * service's outboxes stay full after the database was killed under load, with nothing logged.
 */
const DATABASE_ANSWER_MS = 10_000;

/**
 * Publishes the events waiting in documents' `outbox` arrays: right after each
 * write, and again at start, after NATS reconnects, every `sweepIntervalMs`
 * while a publish has failed, and every 30 s regardless, so an event written
 * before a crash or during an outage still goes out. Per document, events go
 * out in version order and leave the outbox only after JetStream acknowledged
 * them; a second publish of the same event (two replicas, a crash between
 * publish and removal) is dropped by JetStream's message-id deduplication and,
 * past its window, by consumers' version checks.
 */
/** The documents the sweep publishes from and the backlog counts: an outbox not empty. */
const withPendingEvents = { 'outbox.0': { $exists: true } };

/** Published events to remove from their documents' outboxes in one write. */
interface MarkBatch {
  ids: unknown[];
  eventIds: string[];
  written: Promise<void>;
}

export class OutboxRelay {
  /** Per collection: the marks still being gathered, and the write of the previous batch. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly nextMarks = new Map<Model<any>, MarkBatch>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly marking = new Map<Model<any>, Promise<void>>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = false;
  /** A publish or sweep failed since the last sweep: sweep again at the next tick. */
  private retryPending = false;
  private lastSweepAt = 0;

  constructor(
    private readonly bus: EventBus,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly models: Model<any>[],
    private readonly logger: Logger,
    private readonly sweepIntervalMs = 2_000,
    private readonly databaseAnswerMs = DATABASE_ANSWER_MS,
  ) {}

  start(): void {
    this.stopped = false;
    this.bus.onReconnect(() => void this.sweep());
    void this.sweep();
    this.timer = setInterval(() => {
      if (this.retryPending || Date.now() - this.lastSweepAt >= SAFETY_SWEEP_MS) void this.sweep();
    }, this.sweepIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.sweeping;
    await Promise.allSettled(this.inFlight.values());
  }

  /**
   * Publishes one document's pending events now; never throws (the sweep retries).
   * `written`: the outbox as the caller's write left it, which spares a read.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  publishPending(model: Model<any>, id: unknown, written?: EventEnvelope[]): Promise<void> {
    const key = `${model.collection.collectionName}:${String(id)}`;
    // Chain behind a flush already running for this document to keep version order.
    const previous = this.inFlight.get(key);
    const next = (previous ?? Promise.resolve())
      // Behind another flush the outbox may have changed: read it again.
      .then(() => this.flush(model, id, previous ? undefined : written))
      .catch((err: unknown) => {
        this.retryPending = true;
        this.logger.warn({ err, document: key }, 'outbox publish failed; will retry');
      });
    this.inFlight.set(key, next);
    void next.then(() => {
      if (this.inFlight.get(key) === next) this.inFlight.delete(key);
    });
    return next;
  }

  /** Finds every document with pending events and publishes them. */
  sweep(): Promise<void> {
    if (this.stopped || this.sweeping || !this.bus.isConnected) return this.sweeping ?? Promise.resolve();
    this.retryPending = false;
    this.lastSweepAt = Date.now();
    this.sweeping = (async () => {
      try {
        for (const model of this.models) {
          const pending = await withinTime(
            model.collection.find(withPendingEvents, { projection: { _id: 1 } }).toArray(),
            this.databaseAnswerMs,
            `outbox sweep of ${model.collection.collectionName}`,
          );
          for (const doc of pending) await this.publishPending(model, doc._id);
        }
      } catch (err) {
        this.retryPending = true;
        this.logger.warn({ err }, 'outbox sweep failed');
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  /**
   * The events waiting in outboxes and when the oldest of them occurred: one
   * aggregation per collection.
   */
  async backlog(): Promise<{ events: number; oldest?: Date }> {
    let events = 0;
    let oldest: string | undefined;
    for (const model of this.models) {
      const [totals] = await model.collection
        .aggregate<{ events: number; oldest: string | null }>([
          { $match: withPendingEvents },
          {
            $group: {
              _id: null,
              events: { $sum: { $size: '$outbox' } },
              oldest: { $min: { $min: '$outbox.occurredAt' } },
            },
          },
        ])
        .toArray();
      if (!totals) continue;
      events += totals.events;
      // occurredAt is an ISO-8601 UTC string: its order is the time order.
      if (totals.oldest && (!oldest || totals.oldest < oldest)) oldest = totals.oldest;
    }
    return { events, oldest: oldest ? new Date(oldest) : undefined };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async flush(model: Model<any>, id: unknown, written?: EventEnvelope[]): Promise<void> {
    const outbox =
      (written as AnyEventEnvelope[] | undefined) ??
      ((
        await withinTime(
          model.collection.findOne({ _id: id } as never, { projection: { outbox: 1 } }),
          this.databaseAnswerMs,
          `outbox read of ${model.collection.collectionName} ${String(id)}`,
        )
      )?.outbox as AnyEventEnvelope[] | undefined) ??
      [];
    const pending = outbox.slice().sort((a, b) => a.version - b.version);
    const published: string[] = [];
    try {
      for (const stored of pending) {
        // The trace context kept with the event goes in the message's headers, not its body.
        const { traceparent, ...event } = stored as OutboxEvent;
        await this.bus.publish(event as AnyEventEnvelope, { traceparent });
        published.push(event.id);
      }
    } finally {
      // Marked even if a later one failed: what went out must not go out again.
      if (published.length > 0) await this.markPublished(model, id, published);
    }
  }

  /**
   * Removes published events from their outboxes, many documents in one write: the marks made
   * while the previous write of this collection runs, or in the same turn of the event loop,
   * go together (`updateMany` by `_id`). Resolves once this document's events are gone, so a
   * flush chained behind this one reads the outbox without them.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private markPublished(model: Model<any>, id: unknown, eventIds: string[]): Promise<void> {
    const batch = this.nextMarks.get(model) ?? this.startMarkBatch(model);
    batch.ids.push(id);
    batch.eventIds.push(...eventIds);
    return batch.written;
  }

  /** A batch that takes marks until its write starts: after the previous one's, in a later turn. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private startMarkBatch(model: Model<any>): MarkBatch {
    const ids: unknown[] = [];
    const eventIds: string[] = [];
    const written = (this.marking.get(model) ?? Promise.resolve())
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(async () => {
        this.nextMarks.delete(model);
        await withinTime(
          model.collection.updateMany(
            { _id: { $in: ids } } as never,
            { $pull: { outbox: { id: { $in: eventIds } } } } as never,
          ),
          this.databaseAnswerMs,
          `outbox marks of ${model.collection.collectionName}`,
        );
      });
    const batch: MarkBatch = { ids, eventIds, written };
    this.marking.set(
      model,
      written.catch(() => undefined),
    );
    this.nextMarks.set(model, batch);
    return batch;
  }
}
