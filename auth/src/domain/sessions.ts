import { randomUUID } from 'node:crypto';
import type { EndedSessions } from '@postline/common';
import type { SessionRepository } from '../data-access/session-repository';
import { newSession, sessionEnding } from './session-changes';

/**
 * Sessions as auth records them: one per sign-in, its id the token's `jti`. Ending one announces
 * `session.ended`, which every replica of every service holds until the token expires and so
 * refuses the token (common/src/auth/session-endings.ts); this replica learns it at once.
 */
export class Sessions {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly ttlSeconds: number,
    private readonly endedHere: EndedSessions,
  ) {}

  async start(userId: string): Promise<{ id: string; ttlSeconds: number }> {
    const now = new Date();
    const id = randomUUID();
    await this.sessions.insert(newSession(id, userId, now, this.ttlSeconds));
    await this.sessions.deleteExpired(userId, now);
    return { id, ttlSeconds: this.ttlSeconds };
  }

  /** Sign-out: ends the one session (harmless when it has ended already or is unknown). */
  async end(sessionId: string): Promise<void> {
    const result = await this.sessions.change(sessionId, (session) => sessionEnding(session, new Date()));
    if (result?.doc.endedAt) this.endedHere.end(sessionId, Math.floor(result.doc.expiresAt.getTime() / 1000));
  }

  /**
   * Ends every session of a user but `keepSessionId` (the one that made a password change), or all
   * of them when it is absent (a password reset, a change of role).
   * @returns how many sessions this call ended
   */
  async endEveryOtherSession(userId: string, keepSessionId?: string): Promise<number> {
    const ids = (await this.sessions.standingIds(userId, new Date())).filter((id) => id !== keepSessionId);
    await Promise.all(ids.map((id) => this.end(id)));
    return ids.length;
  }
}
