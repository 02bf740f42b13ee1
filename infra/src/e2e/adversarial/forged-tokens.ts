import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { legacyTestJwtKey } from '@postline/common/testing';

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

/** A JWT signed with ES256 by hand (the raw r‖s signature JWS uses): any claims, any P-256 key. */
export function es256Jwt(
  claims: Record<string, unknown>,
  privateKeyPem: string,
  header = { alg: 'ES256', typ: 'JWT' },
) {
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  const signature = sign('sha256', Buffer.from(unsigned), { key: privateKeyPem, dsaEncoding: 'ieee-p1363' });
  return `${unsigned}.${signature.toString('base64url')}`;
}

export interface Claims {
  id: string;
  email: string;
  username: string;
  role: string;
}

/**
 * Tokens that must all be refused, each named for the report: what an attacker
 * holding a real token (`genuine`, of an ordinary user) and auth's public key could make of it,
 * and what a service holding a key of its own, or the shared HS256 key every service held
 * before, could sign. Some are signed with auth's own private key (`keys`) to show that the
 * claims and the times are checked too.
 */
export function forgedTokens(
  genuine: string,
  claims: Claims,
  keys: { privateKey: string; publicKey: string },
): [name: string, token: string][] {
  const now = Math.floor(Date.now() / 1000);
  const session = { jti: 'a-session-that-auth-never-started' };
  const moderator = { ...claims, ...session, role: 'moderator' };
  const [header, , signature] = genuine.split('.');
  const hs256 = { alg: 'HS256', typ: 'JWT' };
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  return [
    [
      'tampered payload (role: moderator, signature kept)',
      `${header}.${b64url({ ...moderator, iat: now, exp: now + 3600 })}.${signature}`,
    ],
    [
      'tampered payload (another user id)',
      `${header}.${b64url({ ...claims, ...session, id: '0'.repeat(24), iat: now, exp: now + 3600 })}.${signature}`,
    ],
    ["expired (auth's key)", es256Jwt({ ...claims, ...session, iat: now - 7200, exp: now - 60 }, keys.privateKey)],
    [
      "not yet valid (auth's key, nbf in an hour)",
      es256Jwt({ ...claims, ...session, iat: now, nbf: now + 3600, exp: now + 7200 }, keys.privateKey),
    ],
    ["ES256 by another key (a service's own)", es256Jwt({ ...moderator, iat: now, exp: now + 3600 }, otherKey)],
    [
      'HS256 with the shared key every service held before',
      hmacJwt(hs256, { ...moderator, iat: now, exp: now + 3600 }, legacyTestJwtKey),
    ],
    [
      "HS256 keyed with auth's public key (algorithm confusion)",
      hmacJwt(hs256, { ...moderator, iat: now, exp: now + 3600 }, keys.publicKey),
    ],
    [
      'ES256 header, HMAC signature with the public key',
      hmacJwt({ alg: 'ES256', typ: 'JWT' }, { ...moderator, iat: now, exp: now + 3600 }, keys.publicKey),
    ],
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
      'HS512 keyed with the public key',
      hmacJwt({ alg: 'HS512', typ: 'JWT' }, { ...moderator, iat: now, exp: now + 3600 }, keys.publicKey, 'sha512'),
    ],
    [
      'RS256 header, HMAC signature',
      hmacJwt({ alg: 'RS256', typ: 'JWT' }, { ...moderator, iat: now, exp: now + 3600 }, keys.publicKey),
    ],
    [
      "ES384 header, auth's ES256 signature",
      es256Jwt({ ...moderator, iat: now, exp: now + 3600 }, keys.privateKey, { alg: 'ES384', typ: 'JWT' }),
    ],
    [
      "auth's key, role outside the roles",
      es256Jwt({ ...claims, ...session, role: 'admin', iat: now, exp: now + 3600 }, keys.privateKey),
    ],
    [
      "auth's key, claims missing",
      es256Jwt({ ...session, role: 'moderator', iat: now, exp: now + 3600 }, keys.privateKey),
    ],
    ["auth's key, no session id", es256Jwt({ ...claims, iat: now, exp: now + 3600 }, keys.privateKey)],
    ['garbage', 'garbage'],
    ['three dots of nothing', '..'],
    ['base64 junk', `${Buffer.from('{"alg":').toString('base64url')}.e30.x`],
    ['huge', 'a'.repeat(6000)],
  ];
}
