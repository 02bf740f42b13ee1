import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { EndedSessions } from './ended-sessions';
import { TokenVerifier } from './token-verifier';
import { generateTokenKeys, signUserToken, verifyUserToken, type CurrentUser } from './user-token';

const keys = generateTokenKeys();
const user: CurrentUser = { id: 'u1', email: 'u1@example.test', username: 'u1', role: 'user' };
const now = () => Math.floor(Date.now() / 1000);

/** An HS256 token made by hand, as an attacker holding a shared secret would. */
function hs256(claims: object, secret: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('user tokens', () => {
  it('verifies what it signed with the public key, with the session id and expiry', () => {
    const token = signUserToken(user, keys.privateKey, 60, 'session-1');
    expect(verifyUserToken(token, keys.publicKey)).toEqual({
      user,
      sessionId: 'session-1',
      expiresAt: expect.any(Number),
    });
    expect(verifyUserToken(token, keys.publicKey)!.expiresAt - now()).toBeGreaterThan(50);
  });

  it('refuses another key pair, a shared HS256 key (the public key itself included), alg none, tampering, expiry and a token without a session', () => {
    const token = signUserToken(user, keys.privateKey, 60);
    const [header, , signature] = token.split('.');
    const moderator = Buffer.from(JSON.stringify({ ...user, role: 'moderator', jti: 's' })).toString('base64url');
    const claims = { ...user, role: 'moderator', jti: 's', exp: now() + 3600 };
    const refused = {
      'another key pair': signUserToken(user, generateTokenKeys().privateKey, 60),
      'HS256 with a shared key': hs256(claims, 'a-key-that-is-long-enough-for-hs256-0123456789'),
      'HS256 keyed with the public key': hs256(claims, keys.publicKey),
      tampered: `${header}.${moderator}.${signature}`,
      'alg none': jwt.sign(claims, null, { algorithm: 'none' }),
      expired: jwt.sign({ ...user, jti: 's', exp: now() - 10 }, keys.privateKey, { algorithm: 'ES256' }),
      'no session id': jwt.sign({ ...user }, keys.privateKey, { algorithm: 'ES256', expiresIn: 60 }),
      garbage: 'garbage',
    };
    expect(Object.entries(refused).map(([name, t]) => [name, verifyUserToken(t, keys.publicKey)])).toEqual(
      Object.keys(refused).map((name) => [name, null]),
    );
  });
});

describe('TokenVerifier', () => {
  it('refuses the token of a session once it has ended, though it verified before', () => {
    const ended = new EndedSessions();
    const tokens = new TokenVerifier(keys.publicKey, ended);
    const token = signUserToken(user, keys.privateKey, 60, 'session-2');
    const other = signUserToken(user, keys.privateKey, 60, 'session-3');
    expect(tokens.verify(token)?.user).toEqual(user);
    ended.end('session-2', now() + 60);
    expect([tokens.verify(token), tokens.verify(other)?.sessionId]).toEqual([null, 'session-3']);
  });
});

describe('EndedSessions', () => {
  it('holds an ending until its token expires, and ignores one whose token has expired', () => {
    const ended = new EndedSessions();
    const t = 1_000_000;
    ended.end('a', t + 30, t);
    ended.end('gone', t - 1, t);
    expect([ended.has('a'), ended.has('gone'), ended.size]).toEqual([true, false, 1]);
    ended.end('b', t + 300, t + 61); // a minute later: `a` has expired and is forgotten
    expect([ended.has('a'), ended.has('b'), ended.size]).toEqual([false, true, 1]);
  });
});
