import { createHmac } from 'node:crypto';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT signed with HMAC by hand: any header, any claims, any key, so it can be wrong in every way. */
export function hmacJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: string,
  hash = 'sha256',
) {
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  return `${unsigned}.${createHmac(hash, key).update(unsigned).digest('base64url')}`;
}

export interface Claims {
  id: string;
  email: string;
  username: string;
  role: string;
}

/**
 * Tokens that must all be refused, each named for the report: what an attacker
 * holding a real token (`genuine`, of an ordinary user) could make of it.
 */
export function forgedTokens(genuine: string, claims: Claims, jwtKey: string): [name: string, token: string][] {
  const now = Math.floor(Date.now() / 1000);
  const moderator = { ...claims, role: 'moderator' };
  const [header, , signature] = genuine.split('.');
  const hs256 = { alg: 'HS256', typ: 'JWT' };
  return [
    [
      'tampered payload (role: moderator, signature kept)',
      `${header}.${b64url({ ...moderator, iat: now, exp: now + 3600 })}.${signature}`,
    ],
    [
      'tampered payload (another user id)',
      `${header}.${b64url({ ...claims, id: '0'.repeat(24), iat: now, exp: now + 3600 })}.${signature}`,
    ],
    ['expired (right key)', hmacJwt(hs256, { ...claims, iat: now - 7200, exp: now - 60 }, jwtKey)],
    [
      'not yet valid (right key, nbf in an hour)',
      hmacJwt(hs256, { ...claims, iat: now, nbf: now + 3600, exp: now + 7200 }, jwtKey),
    ],
    ['wrong key', hmacJwt(hs256, { ...moderator, iat: now, exp: now + 3600 }, `${jwtKey}-not-quite`)],
    [
      'alg none, no signature',
      `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...moderator, iat: now, exp: now + 3600 })}.`,
    ],
    [
      'alg None (case), no signature',
      `${b64url({ alg: 'None' })}.${b64url({ ...moderator, iat: now, exp: now + 3600 })}.`,
    ],
    ['alg none with the old signature', `${b64url({ alg: 'none' })}.${b64url({ ...moderator })}.${signature}`],
    [
      'HS512 with the right key',
      hmacJwt({ alg: 'HS512', typ: 'JWT' }, { ...moderator, iat: now, exp: now + 3600 }, jwtKey, 'sha512'),
    ],
    [
      'HS384 with the right key',
      hmacJwt({ alg: 'HS384', typ: 'JWT' }, { ...moderator, iat: now, exp: now + 3600 }, jwtKey, 'sha384'),
    ],
    [
      'RS256 header, HMAC signature',
      hmacJwt({ alg: 'RS256', typ: 'JWT' }, { ...moderator, iat: now, exp: now + 3600 }, jwtKey),
    ],
    [
      'right key, role outside the roles',
      hmacJwt(hs256, { ...claims, role: 'admin', iat: now, exp: now + 3600 }, jwtKey),
    ],
    ['right key, claims missing', hmacJwt(hs256, { role: 'moderator', iat: now, exp: now + 3600 }, jwtKey)],
    ['garbage', 'garbage'],
    ['three dots of nothing', '..'],
    ['base64 junk', `${Buffer.from('{"alg":').toString('base64url')}.e30.x`],
    ['huge', 'a'.repeat(6000)],
  ];
}
