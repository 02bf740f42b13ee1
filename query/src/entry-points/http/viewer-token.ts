import type { IncomingMessage } from 'node:http';
import { verifyUserToken, type CurrentUser } from '@postline/common';

const sessionCookie = /(?:^|;) *session=([^;]*)/;
const bearer = /^Bearer\s+(\S+)$/i;

/**
 * The token of a request exactly as common's middleware finds it (the
 * cookie-session `session` cookie's `jwt`, else `Authorization: Bearer`), for
 * the reads answered before Express (front-door.ts).
 */
export function tokenOf(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie;
  const match = cookie ? sessionCookie.exec(cookie) : null;
  if (match?.[1]) {
    let value = match[1];
    if (value.startsWith('"')) value = value.slice(1, -1);
    try {
      const session: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
      const jwt = session && typeof session === 'object' ? (session as { jwt?: unknown }).jwt : undefined;
      if (typeof jwt === 'string' && jwt) return jwt;
    } catch {
      // not a session cookie-session could read: no session, as there
    }
  }
  const header = req.headers.authorization;
  return header ? bearer.exec(header)?.[1] : undefined;
}

const maxRemembered = 10_000;

/**
 * Verified tokens and their claims until they expire, so a reader's repeated
 * requests pay for the signature check once. Verification itself is common's
 * verifyUserToken; only successes are remembered.
 */
export class VerifiedTokens {
  private readonly known = new Map<string, { user: CurrentUser; expiresAt: number }>();

  constructor(private readonly jwtKey: string) {}

  userOf(token: string): CurrentUser | null {
    const seconds = Math.floor(Date.now() / 1000);
    const known = this.known.get(token);
    if (known && seconds < known.expiresAt) return known.user;
    if (known) this.known.delete(token);
    const user = verifyUserToken(token, this.jwtKey);
    if (!user) return null;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: number;
      nbf?: number;
    };
    if (typeof claims.exp === 'number' && claims.nbf === undefined) {
      if (this.known.size >= maxRemembered) this.known.delete(this.known.keys().next().value!);
      this.known.set(token, { user, expiresAt: claims.exp });
    }
    return user;
  }
}
