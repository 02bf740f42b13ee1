import { Schema, type HydratedDocument, type Model, type SchemaDefinitionProperty, type UpdateQuery } from 'mongoose';
import { newEvent, type EventData, type EventEnvelope, type Subject } from '../events';
import { isDuplicateKeyError } from '../mongo/duplicate-key';
import { currentTraceparent } from '../observability/tracing';
import type { OutboxRelay } from './outbox-relay';

/**
 * An event as an outbox keeps it: the envelope, and with tracing on the `traceparent` of the span
 * it was written in, which the relay sends as a message header (not in the envelope) so the
 * publish joins that trace even when a sweep sends it after a crash.
 */
export type OutboxEvent = EventEnvelope & { traceparent?: string };

/** Fields every aggregate that announces its changes carries. */
export interface OutboxFields {
  /**
   * The version of the last announced change: 0 for the event announcing the creation, then
   * exactly +1 per event (-1 for an aggregate created without an event; see `OutboxWriter.create`).
   */
  version: number;
  /** Events written with the change, not yet acknowledged by JetStream. */
  outbox: OutboxEvent[];
}

/** Schema fields for `OutboxFields`; Mixed keeps stored events byte-for-byte as written. */
export const outboxSchemaFields = {
  version: { type: Number, required: true, default: 0 },
  outbox: { type: [Schema.Types.Mixed], default: [] } as unknown as SchemaDefinitionProperty<OutboxEvent[]>,
};

export interface PlannedChange<S extends Subject> {
  /** The change itself; `version` and `outbox` are added by the writer. */
  update: UpdateQuery<unknown>;
  /** The event announcing it; a change without one is possible only with a `revisionField`. */
  event?: { subject: S; data: EventData<S> };
}

/**
 * A change as a domain function decides it, over the plain aggregate and with no MongoDB
 * operators: fields to set, one value added to, appended to or taken from an array field (written
 * as `$addToSet` / `$push` / `$pull`, so a long list is not rewritten), and the event announcing it.
 */
export interface PlainChange<T, S extends Subject> {
  set?: Partial<Omit<T, keyof OutboxFields>>;
  addTo?: Partial<Record<keyof T, unknown>>;
  pullFrom?: Partial<Record<keyof T, unknown>>;
  /** Appended to an array field (`$push`): an entry of a history, never a duplicate by construction. */
  push?: Partial<Record<keyof T, unknown>>;
  event?: SubjectEvent<S>;
}

/** One event of the subjects S, with the data of its own subject (a union over S). */
export type SubjectEvent<S extends Subject> = { [K in S]: { subject: K; data: EventData<K> } }[S];

export interface OutboxWriterOptions<T> {
  /**
   * For aggregates that also change without announcing it: a numeric field
   * that rises with every write and guards it instead of `version` (which
   * rises only with events), so a plan made on a read from before any write
   * is re-made.
   */
  revisionField?: keyof T & string;
  /**
   * How long `change` keeps re-reading and re-planning while others win the
   * race for the same document (each round has one winner, so N writers at
   * once need up to N rounds) before giving up with ConcurrentModificationError.
   */
  retryBudgetMs?: number;
}

export class ConcurrentModificationError extends Error {
  constructor(what: string) {
    super(`${what} kept changing under us; try again`);
  }
}

/**
 * Writes an aggregate and the event announcing the change in one atomic
 * single-document update (a transactional outbox that needs no multi-document
 * transaction), guarded by the version so concurrent writers never interleave,
 * then hands the document to the relay to publish.
 */
export class OutboxWriter<T extends OutboxFields> {
  constructor(
    private readonly model: Model<T>,
    private readonly producer: string,
    private readonly relay: OutboxRelay,
    private readonly options: OutboxWriterOptions<T> = {},
  ) {}

  /**
   * Inserts a new aggregate with the event announcing it (version 0), or,
   * with no event, at version -1 (its first event will be version 0).
   * A duplicate `_id` throws MongoDB's duplicate-key error (code 11000).
   */
  async create<S extends Subject>(
    fields: Omit<T, keyof OutboxFields> & { _id: unknown },
    event?: { subject: S; data: (doc: HydratedDocument<T>) => EventData<S> },
  ): Promise<HydratedDocument<T>> {
    const doc = new this.model({
      ...fields,
      ...(this.options.revisionField ? { [this.options.revisionField]: 0 } : {}),
      version: event ? 0 : -1,
      outbox: [],
    });
    if (event) doc.set('outbox', [this.event(event.subject, String(doc._id), 0, event.data(doc))]);
    await doc.save();
    if (event) void this.relay.publishPending(this.model, doc._id, doc.get('outbox'));
    return doc;
  }

  /**
   * Reads the aggregate, asks `plan` what to change (undefined: nothing to do,
   * e.g. following someone already followed), and writes it only if nobody
   * wrote in between; otherwise reads again and re-plans.
   * @returns the document after the change, or null if it does not exist
   */
  change<S extends Subject>(
    id: unknown,
    plan: (current: HydratedDocument<T>) => PlannedChange<S> | undefined,
  ): Promise<{ doc: HydratedDocument<T>; changed: boolean } | null> {
    return this.guardedChange(id, plan, {
      read: () => this.model.findById(id),
      write: (guard, update) =>
        this.model.findOneAndUpdate(guard as never, update as never, { returnDocument: 'after' }),
    });
  }

  /**
   * `create` for a repository that stores plain objects: the aggregate as stored, or null when a
   * unique index refuses it (another writer took the id, a slug, an email… first). Cast, given
   * its defaults and validated by the schema as `save()` would, but never made a mongoose
   * document: building one was most of the CPU an insert took (profiled under comment writes).
   */
  async insert<S extends Subject>(
    fields: Omit<T, keyof OutboxFields> & { _id: unknown },
    event?: { subject: S; data: EventData<S> },
  ): Promise<T | null> {
    const id = String(fields._id);
    const record = this.model.applyDefaults({
      ...fields,
      ...(this.options.revisionField ? { [this.options.revisionField]: 0 } : {}),
      version: event ? 0 : -1,
      outbox: event ? [this.event(event.subject, id, 0, event.data)] : [],
    } as unknown as T) as T;
    const stored = keepNulls(record, (await this.model.validate(record)) as T);
    try {
      await this.model.collection.insertOne(stored as never);
    } catch (err) {
      if (isDuplicateKeyError(err)) return null;
      throw err;
    }
    if (event) void this.relay.publishPending(this.model, (stored as unknown as { _id: unknown })._id, stored.outbox);
    return stored;
  }

  /**
   * `change` for plans over plain objects that answer a `PlainChange`; the aggregate after it comes
   * back plain too. Read and written without mongoose documents (`lean`, schema defaults applied
   * as `toObject()` would): hydrating one costs more CPU than the round trip on the hot paths.
   */
  changePlain<S extends Subject>(
    id: unknown,
    plan: (current: T) => PlainChange<T, S> | undefined,
  ): Promise<{ doc: T; changed: boolean } | null> {
    const withDefaults = (doc: unknown) => (doc === null ? null : (this.model.applyDefaults(doc as T) as T));
    return this.guardedChange(
      id,
      (current) => {
        const planned = plan(current);
        if (!planned) return undefined;
        const { set, addTo, pullFrom, push, event } = planned;
        const update: Record<string, unknown> = {};
        if (set) update.$set = set;
        if (addTo) update.$addToSet = addTo;
        if (pullFrom) update.$pull = pullFrom;
        if (push) update.$push = push;
        return { update, event };
      },
      {
        read: () => this.model.findById(id).lean().then(withDefaults),
        write: (guard, update) =>
          this.model
            .findOneAndUpdate(guard as never, update as never, { returnDocument: 'after' })
            .lean()
            .then(withDefaults),
      },
    );
  }

  /** The read, plan and version-guarded write of `change` and `changePlain`, over either kind of document. */
  private async guardedChange<D extends OutboxFields, S extends Subject>(
    id: unknown,
    plan: (current: D) => PlannedChange<S> | undefined,
    store: { read: () => Promise<D | null>; write: (guard: object, update: object) => Promise<D | null> },
  ): Promise<{ doc: D; changed: boolean } | null> {
    const revisionField = this.options.revisionField;
    const deadline = Date.now() + (this.options.retryBudgetMs ?? 5_000);
    for (let attempt = 0; attempt === 0 || Date.now() < deadline; attempt++) {
      // Jittered back-off after a lost race, so the losers do not all collide again at once.
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 50)));
      const current = await store.read();
      if (!current) return null;
      const planned = plan(current);
      if (!planned) return { doc: current, changed: false };
      if (!planned.event && !revisionField) throw new Error(`${this.model.modelName}: a change without an event`);
      const { $set, $push, ...rest } = planned.update as UpdateQuery<Record<string, unknown>>;
      const set: Record<string, unknown> = { ...($set ?? {}) };
      const push: Record<string, unknown> = { ...($push ?? {}) };
      // The guard turns a write by anyone else in between (a concurrent request, another replica) into a retry.
      const fields = current as unknown as Record<string, unknown>;
      const guard: Record<string, unknown> = { _id: fields._id };
      if (revisionField) {
        const revision = fields[revisionField] as number;
        guard[revisionField] = revision;
        set[revisionField] = revision + 1;
      } else {
        guard.version = current.version;
      }
      if (planned.event) {
        const version = current.version + 1;
        set.version = version;
        push.outbox = this.event(planned.event.subject, String(fields._id), version, planned.event.data);
      }
      const updated = await store.write(guard, {
        ...rest,
        $set: set,
        ...(Object.keys(push).length ? { $push: push } : {}),
      });
      if (updated) {
        if (planned.event) void this.relay.publishPending(this.model, id, updated.outbox);
        return { doc: updated, changed: true };
      }
    }
    throw new ConcurrentModificationError(this.model.modelName);
  }

  private event<S extends Subject>(subject: S, aggregateId: string, version: number, data: EventData<S>): OutboxEvent {
    const event = newEvent(subject, { producer: this.producer, aggregateId, version, data });
    const traceparent = currentTraceparent();
    return traceparent ? { ...event, traceparent } : event;
  }
}

/**
 * `Model.validate` answers the cast object without the fields whose value is null, defaults such
 * as `deletedAt: null` included; `save()` stores them. Put back, so a document reads the same
 * whichever way it was inserted (code and tests compare with `=== null`).
 */
function keepNulls<T>(record: T, cast: T): T {
  for (const [key, value] of Object.entries(record as object)) {
    if (value === null && !(key in (cast as object))) (cast as Record<string, unknown>)[key] = null;
  }
  return cast;
}
