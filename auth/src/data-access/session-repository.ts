import type { Connection, Model } from 'mongoose';
import { OutboxWriter, type OutboxFields, type OutboxRelay } from '@postline/common';
import type { SessionChange } from '../domain/session-changes';
import { sessionModel, type Session } from './session-model';

/** Stores and loads sessions; an ending is written with its event (OutboxWriter), guarded by the version. */
export class SessionRepository {
  readonly model: Model<Session>;
  private readonly writer: OutboxWriter<Session>;

  constructor(db: Connection, relay: OutboxRelay) {
    this.model = sessionModel(db);
    this.writer = new OutboxWriter(this.model, 'auth', relay);
  }

  async insert(session: Omit<Session, keyof OutboxFields>): Promise<void> {
    await this.writer.create(session);
  }

  /** @returns the session after the change, or null if there is no such session */
  change(id: string, plan: (session: Session) => SessionChange | undefined): Promise<{ doc: Session } | null> {
    return this.writer.changePlain(id, plan);
  }

  /** Ids of a user's sessions that stand at `now`. */
  async standingIds(userId: string, now: Date): Promise<string[]> {
    const found = await this.model.find({ userId, endedAt: null, expiresAt: { $gt: now } }, { _id: 1 }).lean();
    return found.map((s) => s._id);
  }

  /** Forgets a user's expired sessions whose events are out (their tokens are refused by expiry alone). */
  async deleteExpired(userId: string, now: Date): Promise<void> {
    await this.model.deleteMany({ userId, expiresAt: { $lte: now }, outbox: { $size: 0 } });
  }
}
