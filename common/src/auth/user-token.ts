import { createSecretKey, type KeyObject } from 'node:crypto';
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

/**
 * The key as a KeyObject, made once per key. Given a string, jsonwebtoken 9 first tries it as a
 * public key and catches the failure on every call: measured 282 µs per verify against 5 µs.
 */
const keyObjects = new Map<string, KeyObject>();
function secretKey(key: string): KeyObject {
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = createSecretKey(Buffer.from(key));
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

export function signUserToken(user: CurrentUser, key: string, ttlSeconds: number): string {
  const { id, email, username, role } = user;
  return jwt.sign({ id, email, username, role }, secretKey(key), { algorithm: 'HS256', expiresIn: ttlSeconds });
}

/**
 * The claims of a valid token, or null for anything else: missing, expired,
 * tampered, signed with another key or algorithm (`alg: none` included).
 */
export function verifyUserToken(token: string, key: string): CurrentUser | null {
  try {
    const payload = jwt.verify(token, secretKey(key), { algorithms: ['HS256'] });
    const claims = userClaimsSchema.safeParse(payload);
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}
