import type { OutboxFields, PlainChange } from '@postline/common';
import type { Session } from '../data-access/session-model';

/** A session's change: its ending, announced by `session.ended`. */
export type SessionChange = PlainChange<Session, 'session.ended'>;

export function newSession(
  id: string,
  userId: string,
  now: Date,
  ttlSeconds: number,
): Omit<Session, keyof OutboxFields> {
  return { _id: id, userId, expiresAt: new Date(now.getTime() + ttlSeconds * 1000), endedAt: null };
}

/**
 * Ends a session that stands. Ending one twice, or one whose token has expired anyway, is no
 * change and announces nothing.
 */
export function sessionEnding(session: Session, now: Date): SessionChange | undefined {
  if (session.endedAt || session.expiresAt <= now) return undefined;
  return {
    set: { endedAt: now },
    event: {
      subject: 'session.ended',
      data: { id: session._id, userId: session.userId, expiresAt: session.expiresAt.toISOString() },
    },
  };
}
