import { Schema, type HydratedDocument, type Model, type SchemaDefinitionProperty, type UpdateQuery } from 'mongoose';
import { newEvent, type EventData, type EventEnvelope, type Subject } from '../events';
import type { OutboxRelay } from './outbox-relay';

/** Fields every aggregate that announces its changes carries. */
export interface OutboxFields {
  /** Starts at 0 on creation and rises by exactly 1 with every announced change. */
  version: number;
  /** Events written with the change, not yet acknowledged by JetStream. */
  outbox: EventEnvelope[];
}

/** Schema fields for `OutboxFields`; Mixed keeps stored events byte-for-byte as written. */
export const outboxSchemaFields = {
  version: { type: Number, required: true, default: 0 },
  outbox: { type: [Schema.Types.Mixed], default: [] } as unknown as SchemaDefinitionProperty<EventEnvelope[]>,
};

export interface PlannedChange<S extends Subject> {
  /** The change itself; `version` and `outbox` are added by the writer. */
  update: UpdateQuery<unknown>;
  event: { subject: S; data: EventData<S> };
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
  ) {}

  async create<S extends Subject>(
    fields: Omit<T, keyof OutboxFields> & { _id: unknown },
    subject: S,
    dataFor: (doc: HydratedDocument<T>) => EventData<S>,
  ): Promise<HydratedDocument<T>> {
    const doc = new this.model({ ...fields, version: 0, outbox: [] });
    doc.set('outbox', [this.event(subject, String(doc._id), 0, dataFor(doc))]);
    await doc.save();
    void this.relay.publishPending(this.model, doc._id);
    return doc;
  }

  /**
   * Reads the aggregate, asks `plan` what to change (undefined: nothing to do,
   * e.g. following someone already followed), and writes it only if nobody
   * wrote in between; otherwise reads again and re-plans.
   * @returns the document after the change, or null if it does not exist
   */
  async change<S extends Subject>(
    id: unknown,
    plan: (current: HydratedDocument<T>) => PlannedChange<S> | undefined,
    attempts = 5,
  ): Promise<{ doc: HydratedDocument<T>; changed: boolean } | null> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const current = await this.model.findById(id);
      if (!current) return null;
      const planned = plan(current);
      if (!planned) return { doc: current, changed: false };
      const version = current.version + 1;
      const event = this.event(planned.event.subject, String(current._id), version, planned.event.data);
      const { $set, $push, ...rest } = planned.update as UpdateQuery<Record<string, unknown>>;
      // The version guard turns a write by anyone else in between (a concurrent request, another replica) into a retry.
      const updated = await this.model.findOneAndUpdate(
        { _id: current._id, version: current.version } as never,
        { ...rest, $set: { ...($set ?? {}), version }, $push: { ...($push ?? {}), outbox: event } } as never,
        { returnDocument: 'after' },
      );
      if (updated) {
        void this.relay.publishPending(this.model, id);
        return { doc: updated, changed: true };
      }
    }
    throw new ConcurrentModificationError(this.model.modelName);
  }

  private event<S extends Subject>(subject: S, aggregateId: string, version: number, data: EventData<S>) {
    return newEvent(subject, { producer: this.producer, aggregateId, version, data });
  }
}
