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

export function signUserToken(user: CurrentUser, key: string, ttlSeconds: number): string {
  const { id, email, username, role } = user;
  return jwt.sign({ id, email, username, role }, key, { algorithm: 'HS256', expiresIn: ttlSeconds });
}

/**
 * The claims of a valid token, or null for anything else: missing, expired,
 * tampered, signed with another key or algorithm (`alg: none` included).
 */
export function verifyUserToken(token: string, key: string): CurrentUser | null {
  try {
    const payload = jwt.verify(token, key, { algorithms: ['HS256'] });
    const claims = userClaimsSchema.safeParse(payload);
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}
