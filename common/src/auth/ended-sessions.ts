/**
 * The sessions that ended before their token expired (signed out, ended by a password change or a
 * role change), as every replica of every service holds them: learnt from `session.ended` events
 * (`SessionEndings`), each forgotten once its token has expired anyway. A token of one of these
 * is refused. Only ended sessions are held, never every session, so a new sign-in works at once
 * everywhere.
 */
export class EndedSessions {
  /** Session id → when its token expires (seconds). */
  private readonly ended = new Map<string, number>();
  private nextPrune = 0;

  end(sessionId: string, expiresAt: number, nowSeconds = Math.floor(Date.now() / 1000)): void {
    if (expiresAt > nowSeconds) this.ended.set(sessionId, expiresAt);
    this.prune(nowSeconds);
  }

  has(sessionId: string): boolean {
    return this.ended.has(sessionId);
  }

  get size(): number {
    return this.ended.size;
  }

  /** At most once a minute: drops the sessions whose tokens have expired. */
  private prune(nowSeconds: number): void {
    if (nowSeconds < this.nextPrune) return;
    this.nextPrune = nowSeconds + 60;
    for (const [sessionId, expiresAt] of this.ended) if (expiresAt <= nowSeconds) this.ended.delete(sessionId);
  }
}
