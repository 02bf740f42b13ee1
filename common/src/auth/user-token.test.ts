import jwt from 'jsonwebtoken';
import { signUserToken, verifyUserToken, type CurrentUser } from './user-token';

const key = 'a-key-that-is-long-enough-for-hs256-0123456789';
const user: CurrentUser = { id: 'u1', email: 'u1@example.test', username: 'u1', role: 'user' };

describe('user tokens', () => {
  it('verifies what it signed, with the same key', () => {
    expect(verifyUserToken(signUserToken(user, key, 60), key)).toEqual(user);
  });

  it('refuses another key, a tampered payload, alg none, another algorithm and an expired token', () => {
    const token = signUserToken(user, key, 60);
    const [header, , signature] = token.split('.');
    const moderator = Buffer.from(JSON.stringify({ ...user, role: 'moderator' })).toString('base64url');
    const refused = [
      signUserToken(user, `${key}-other`, 60),
      `${header}.${moderator}.${signature}`,
      jwt.sign({ ...user }, null, { algorithm: 'none' }),
      jwt.sign({ ...user }, key, { algorithm: 'HS512' }),
      jwt.sign({ ...user, exp: Math.floor(Date.now() / 1000) - 10 }, key, { algorithm: 'HS256' }),
      'garbage',
    ];
    expect(refused.map((t) => verifyUserToken(t, key))).toEqual(refused.map(() => null));
  });
});
