import type { Connection, Model, UpdateQuery } from 'mongoose';
import { ConcurrentModificationError, newEvent, type OutboxRelay } from '@postline/common';
import { commentModeratedData } from '../events/moderation-events';
import {
  moderationRecordModel,
  type Decision,
  type ModerationRecord,
  type ModerationRecordDocument,
} from './moderation-record-model';

/** What one write does to a record: fields to set, and possibly a decision (which is announced). */
export interface RecordChange {
  set: Partial<Omit<ModerationRecord, '_id' | 'version' | 'outbox' | 'revision' | 'decisions'>>;
  decision?: Decision;
}

export type NewRecord = Omit<ModerationRecord, 'version' | 'outbox' | 'revision' | 'decisions'>;

/**
 * Moderation records. A decision is written together with its
 * `comment.moderated` event in one atomic update (the outbox in the document),
 * like OutboxWriter does; unlike OutboxWriter's, these writes are guarded by
 * `revision`, not `version`, because a record also changes without an event
 * (a version queued for review, a newer comment version seen) and a decision
 * planned on a record read before such a change must not overwrite it.
 */
export class ModerationRecordRepository {
  readonly model: Model<ModerationRecord>;

  constructor(
    db: Connection,
    private readonly relay: OutboxRelay,
  ) {
    this.model = moderationRecordModel(db);
  }

  findById(id: string): Promise<ModerationRecordDocument | null> {
    return this.model.findById(id);
  }

  /** @returns null if a record with this id exists already (another delivery or replica was first) */
  async insert(record: NewRecord, decision?: Decision): Promise<ModerationRecordDocument | null> {
    const doc = new this.model({
      ...record,
      revision: 0,
      version: decision ? 0 : -1,
      decisions: decision ? [decision] : [],
      outbox: decision ? [this.event(record, 0, decision)] : [],
    });
    try {
      await doc.save();
    } catch (err) {
      if ((err as { code?: number })?.code === 11000) return null;
      throw err;
    }
    if (decision) void this.relay.publishPending(this.model, doc._id);
    return doc;
  }

  /**
   * Reads the record, asks `plan` what to change (undefined: nothing), and
   * writes it only if nobody wrote in between; otherwise reads again and re-plans.
   * @returns the record after the change, or null if there is none
   */
  async change(
    id: string,
    plan: (current: ModerationRecordDocument) => RecordChange | undefined,
    attempts = 5,
  ): Promise<ModerationRecordDocument | null> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const current = await this.model.findById(id);
      if (!current) return null;
      const planned = plan(current);
      if (!planned) return current;
      const update: UpdateQuery<ModerationRecord> = { $set: { ...planned.set, revision: current.revision + 1 } };
      if (planned.decision) {
        const version = current.version + 1;
        update.$set = { ...update.$set, version };
        update.$push = { decisions: planned.decision, outbox: this.event(current, version, planned.decision) };
      }
      const updated = await this.model.findOneAndUpdate({ _id: id, revision: current.revision }, update, {
        returnDocument: 'after',
      });
      if (updated) {
        if (planned.decision) void this.relay.publishPending(this.model, id);
        return updated;
      }
    }
    throw new ConcurrentModificationError(this.model.modelName);
  }

  /** Records awaiting a moderator, oldest first. */
  awaitingReview(limit: number): Promise<ModerationRecordDocument[]> {
    return this.model.find({ awaitingReview: true }).sort({ queuedAt: 1 }).limit(limit);
  }

  private event(record: Pick<ModerationRecord, '_id' | 'postId'>, version: number, decision: Decision) {
    return newEvent('comment.moderated', {
      producer: 'moderation',
      aggregateId: record._id,
      version,
      data: commentModeratedData(record, decision),
    });
  }
}
