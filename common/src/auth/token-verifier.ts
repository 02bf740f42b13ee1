import { EndedSessions } from './ended-sessions';
import { verifyUserToken, type VerifiedToken } from './user-token';

const maxRemembered = 10_000;

/**
 * Tells which tokens stand: signed by auth's key (checked once per token, then remembered until it
 * expires, so a reader's repeated requests pay for the signature once), not expired, and of a
 * session that has not ended. The ended sessions are looked up on every request, so a sign-out
 * takes effect on a replica as soon as it hears of it.
 */
export class TokenVerifier {
  private readonly known = new Map<string, VerifiedToken>();

  constructor(
    private readonly publicKeyPem: string,
    readonly endedSessions = new EndedSessions(),
  ) {}

  verify(token: string): VerifiedToken | null {
    const verified = this.signed(token);
    return verified && !this.endedSessions.has(verified.sessionId) ? verified : null;
  }

  private signed(token: string): VerifiedToken | null {
    const seconds = Math.floor(Date.now() / 1000);
    const known = this.known.get(token);
    if (known && seconds < known.expiresAt) return known;
    if (known) this.known.delete(token);
    const verified = verifyUserToken(token, this.publicKeyPem);
    if (!verified) return null;
    if (this.known.size >= maxRemembered) this.known.delete(this.known.keys().next().value!);
    this.known.set(token, verified);
    return verified;
  }
}
