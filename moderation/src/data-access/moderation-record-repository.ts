import type { Connection, Model } from 'mongoose';
import { OutboxWriter, type OutboxRelay } from '@postline/common';
import { commentModeratedData } from '../event-payloads/moderation-events';
import { moderationRecordModel, type Decision, type ModerationRecord } from './moderation-record-model';

/** What one write does to a record: fields to set, and possibly a decision (which is announced). */
export interface RecordChange {
  set: Partial<Omit<ModerationRecord, '_id' | 'version' | 'outbox' | 'revision' | 'decisions'>>;
  decision?: Decision;
}

export type NewRecord = Omit<ModerationRecord, 'version' | 'outbox' | 'revision' | 'decisions'>;

/**
 * Moderation records, written through the common `OutboxWriter`: a decision
 * is written together with its `comment.moderated` event in one atomic update.
 * A record also changes without an event (a version queued for review, a
 * newer comment version seen), so writes are guarded by `revision`, which
 * rises with every write, rather than by `version`, which counts events: a
 * decision planned on a record read before such a change is planned again.
 */
export class ModerationRecordRepository {
  readonly model: Model<ModerationRecord>;
  private readonly writer: OutboxWriter<ModerationRecord>;

  constructor(db: Connection, relay: OutboxRelay) {
    this.model = moderationRecordModel(db);
    this.writer = new OutboxWriter(this.model, 'moderation', relay, { revisionField: 'revision' });
  }

  /** @returns null if a record with this id exists already (another delivery or replica was first) */
  insert(record: NewRecord, decision?: Decision): Promise<ModerationRecord | null> {
    return this.writer.insert(
      { ...record, revision: 0, decisions: decision ? [decision] : [] },
      decision && { subject: 'comment.moderated', data: commentModeratedData(record, decision) },
    );
  }

  /**
   * Reads the record, asks `plan` what to change (undefined: nothing), and
   * writes it only if nobody wrote in between; otherwise reads again and re-plans.
   * @returns the record after the change, or null if there is none
   */
  async change(
    id: string,
    plan: (current: ModerationRecord) => RecordChange | undefined,
  ): Promise<ModerationRecord | null> {
    const outcome = await this.writer.changePlain(id, (current) => {
      const planned = plan(current);
      if (!planned) return undefined;
      const { decision } = planned;
      if (!decision) return { set: planned.set };
      return {
        set: planned.set,
        push: { decisions: decision },
        event: { subject: 'comment.moderated' as const, data: commentModeratedData(current, decision) },
      };
    });
    return outcome?.doc ?? null;
  }

  /**
   * A change without a decision, written only where the record has applied comment version
   * `commentVersion` (one conditional write, no read): whether it was.
   */
  async changeAt(id: string, commentVersion: number, set: RecordChange['set']): Promise<boolean> {
    const result = await this.model.collection.updateOne({ _id: id, commentVersion } as never, {
      $set: set,
      $inc: { revision: 1 },
    });
    return result.modifiedCount === 1;
  }

  async findById(id: string): Promise<ModerationRecord | null> {
    return (await this.model.findById(id))?.toObject() ?? null;
  }

  /** Records awaiting a moderator, oldest first, and how many there are. */
  async awaitingReview(skip: number, limit: number): Promise<{ records: ModerationRecord[]; total: number }> {
    const filter = { awaitingReview: true };
    const [records, total] = await Promise.all([
      this.model.find(filter).sort({ queuedAt: 1, _id: 1 }).skip(skip).limit(limit),
      this.model.countDocuments(filter),
    ]);
    return { records: records.map((record) => record.toObject()), total };
  }

  /** Records whose current text has a standing decision matching the filter, newest decision first. */
  async standing(
    match: { decidedBy?: 'rules' | 'moderator'; status?: 'approved' | 'rejected' },
    skip: number,
    limit: number,
  ): Promise<{ records: ModerationRecord[]; total: number }> {
    const filter: Record<string, unknown> = { standing: { $ne: null } };
    if (match.decidedBy) filter['standing.decidedBy'] = match.decidedBy;
    if (match.status) filter['standing.status'] = match.status;
    const [records, total] = await Promise.all([
      this.model.find(filter).sort({ 'standing.decidedAt': -1, _id: -1 }).skip(skip).limit(limit),
      this.model.countDocuments(filter),
    ]);
    return { records: records.map((record) => record.toObject()), total };
  }
}
