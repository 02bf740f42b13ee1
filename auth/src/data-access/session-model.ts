import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields } from '@postline/common';

/**
 * A session auth signed a token for (the token's `jti` is its `_id`). Created without an event;
 * ending it before it expires is its one event, `session.ended` (version 0).
 */
export interface Session extends OutboxFields {
  _id: string;
  userId: string;
  expiresAt: Date;
  /** When it was ended (signed out, or ended by a password or role change); null while it stands. */
  endedAt: Date | null;
}

const sessionSchema = new Schema<Session>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true, index: true },
    expiresAt: { type: Date, required: true },
    endedAt: { type: Date, default: null },
    ...outboxSchemaFields,
  },
  { versionKey: false },
);

export function sessionModel(db: Connection): Model<Session> {
  return db.models.Session ?? db.model<Session>('Session', sessionSchema);
}
