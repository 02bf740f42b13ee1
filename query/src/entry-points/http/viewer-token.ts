import type { IncomingMessage } from 'node:http';

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
