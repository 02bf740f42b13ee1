import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';

export const roles = ['user', 'moderator'] as const;
export type Role = (typeof roles)[number];

const userClaimsSchema = z.object({
  id: z.string().min(1),
  email: z.string().min(1),
  username: z.string().min(1),
  role: z.enum(roles),
});

/** What a signed-in request knows about its caller, from the JWT alone. */
export type CurrentUser = z.infer<typeof userClaimsSchema>;

/** A token that verified: its caller, the session it belongs to (`jti`) and when it expires (seconds). */
export interface VerifiedToken {
  user: CurrentUser;
  sessionId: string;
  expiresAt: number;
}

/**
 * ES256 (ECDSA on P-256): auth alone holds the private key and signs; every service verifies with
 * the public key, so no service but auth can make a token, a moderator's included.
 */
export const tokenAlgorithm = 'ES256';

/**
 * Keys as KeyObjects, made once per PEM. Given a string, jsonwebtoken 9 parses it on every call
 * (measured 282 µs against 5 µs per verify with HS256).
 */
const keyObjects = new Map<string, KeyObject>();
function keyObject(pem: string, kind: 'private' | 'public'): KeyObject {
  let key = keyObjects.get(pem);
  if (!key) {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
    keyObjects.set(pem, key);
  }
  return key;
}

/** A new session's token: the caller's claims, the session id as `jti`, valid `ttlSeconds`. */
export function signUserToken(
  user: CurrentUser,
  privateKeyPem: string,
  ttlSeconds: number,
  sessionId: string = randomUUID(),
): string {
  const { id, email, username, role } = user;
  return jwt.sign({ id, email, username, role }, keyObject(privateKeyPem, 'private'), {
    algorithm: tokenAlgorithm,
    expiresIn: ttlSeconds,
    jwtid: sessionId,
  });
}

/**
 * The claims of a valid token, or null for anything else: missing, expired, tampered, without a
 * session id, signed with another key or algorithm (HS256 with the old shared key and `alg: none`
 * included). Whether its session has ended is the TokenVerifier's question.
 */
export function verifyUserToken(token: string, publicKeyPem: string): VerifiedToken | null {
  try {
    const payload = jwt.verify(token, keyObject(publicKeyPem, 'public'), { algorithms: [tokenAlgorithm] });
    if (typeof payload !== 'object' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return null;
    const claims = userClaimsSchema.safeParse(payload);
    return claims.success ? { user: claims.data, sessionId: payload.jti, expiresAt: payload.exp } : null;
  } catch {
    return null;
  }
}

/** A new key pair for session tokens, as PEM (`npm start` makes one at first start; tests make their own). */
export function generateTokenKeys(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}
