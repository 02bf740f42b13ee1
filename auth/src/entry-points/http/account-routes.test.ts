import jwt from 'jsonwebtoken';
import { generateTokenKeys } from '@postline/common';
import {
  bearerFor,
  legacyTestJwtKey,
  linkToken,
  sessionCookieFor,
  testTokenKeys,
  testUser,
} from '@postline/common/testing';
import { userModel } from '../../data-access/user-model';
import { hashPassword } from '../../domain/password';
import { newAccount, startAuth, type AuthUnderTest } from '../../testing/start-auth';

let auth: AuthUnderTest;

beforeAll(async () => {
  auth = await startAuth();
});

afterAll(async () => {
  await auth.stop();
});

function sessionCookieOf(res: { headers: Record<string, unknown> }): string {
  const cookies = res.headers['set-cookie'] as string[] | undefined;
  const session = cookies?.find((c) => c.startsWith('session='));
  if (!session) throw new Error('no session cookie set');
  return session.split(';')[0]!;
}

describe('POST /api/users/signup', () => {
  it('creates the user, signs them in and announces user.created once, at version 0', async () => {
    const account = newAccount();
    const res = await auth.http.post('/api/users/signup').send(account).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      email: account.email,
      username: account.username,
      role: 'user',
    });
    expect(res.body).not.toHaveProperty('passwordHash');
    const setCookie = (res.headers['set-cookie'] as unknown as string[]).join(';').toLowerCase();
    expect(setCookie).toContain('httponly');
    expect(setCookie).toContain('samesite=lax');

    const me = await auth.http.get('/api/users/currentuser').set('Cookie', sessionCookieOf(res)).expect(200);
    expect(me.body.currentUser).toMatchObject({ id: res.body.id, username: account.username });

    const event = await auth.events.waitFor('user.created', (e) => e.aggregateId === res.body.id);
    expect(event).toMatchObject({
      producer: 'auth',
      version: 0,
      data: { id: res.body.id, username: account.username, role: 'user', bio: '', image: '' },
    });
    expect(JSON.stringify(event.data)).not.toContain(account.email);
    await auth.untilSettled();
    expect(auth.events.of('user.created').filter((e) => e.aggregateId === res.body.id)).toHaveLength(1);
  });

  it('normalises email and username to lower case', async () => {
    const account = newAccount('mixed');
    const res = await auth.http
      .post('/api/users/signup')
      .send({ ...account, email: account.email.toUpperCase(), username: account.username.toUpperCase() })
      .expect(201);
    expect(res.body).toMatchObject({ email: account.email, username: account.username });
  });

  it.each([
    ['email', { email: 'not-an-email' }, 'Email must be a valid address'],
    ['email', { email: 42 }, 'Email is required'],
    ['username', { username: 'ab' }, 'Username must be 3 to 30 letters, digits or underscores'],
    ['username', { username: 'has space' }, 'Username must be 3 to 30 letters, digits or underscores'],
    ['password', { password: 'short' }, 'Password must be 8 to 128 characters'],
    ['password', { password: 'x'.repeat(129) }, 'Password must be 8 to 128 characters'],
    ['password', { password: undefined }, 'Password is required'],
  ])('rejects an invalid %s (%j) with 400 naming it, creating nothing', async (field, change, message) => {
    const account = { ...newAccount(), ...change };
    const res = await auth.http.post('/api/users/signup').send(account).expect(400);
    expect(res.body).toEqual({ errors: [{ field, message }] });
    expect(res.headers['set-cookie']).toBeUndefined();
    if (typeof account.username === 'string' && account.username.length >= 3) {
      await auth.http.get(`/api/users/${account.username}`).expect(404);
    }
  });

  it('names every invalid field at once, and unknown fields too', async () => {
    const res = await auth.http
      .post('/api/users/signup')
      .send({ email: 'x', username: '!', password: '1', role: 'moderator' })
      .expect(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'email' }),
        expect.objectContaining({ field: 'username' }),
        expect.objectContaining({ field: 'password' }),
        { field: 'role', message: 'Unknown field' },
      ]),
    );
  });

  it('answers a taken address as it answers a new one (only the mail differs), and 409 for a taken username', async () => {
    const account = newAccount();
    const first = await auth.http.post('/api/users/signup').send(account).expect(201);
    const again = await auth.http
      .post('/api/users/signup')
      .send({ ...newAccount(), email: account.email })
      .expect(201);
    expect(Object.keys(again.body).sort()).toEqual(Object.keys(first.body).sort());
    expect(again.body).toMatchObject({ email: account.email, role: 'user' });
    expect(again.body.id).not.toBe(first.body.id);
    expect(sessionCookieOf(again)).toMatch(/^session=/);
    const byUsername = await auth.http
      .post('/api/users/signup')
      .send({ ...newAccount(), username: account.username })
      .expect(409);
    expect(byUsername.body).toEqual({ errors: [{ field: 'username', message: 'Username is taken' }] });
  });

  it('keeps one user when the same sign-up races itself', async () => {
    const account = newAccount('race');
    const answers = await Promise.all([1, 2, 3].map(() => auth.http.post('/api/users/signup').send(account)));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('refuses reserved usernames', async () => {
    const res = await auth.http
      .post('/api/users/signup')
      .send({ ...newAccount(), username: 'currentuser' })
      .expect(409);
    expect(res.body.errors[0].field).toBe('username');
  });

  it('answers malformed JSON with 400, a non-JSON body with 415 and a huge one with 413', async () => {
    const malformed = await auth.http
      .post('/api/users/signup')
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expect(malformed.body).toEqual({ errors: [{ message: 'Malformed JSON in request body' }] });
    const form = await auth.http.post('/api/users/signup').type('form').send('email=a@b.c').expect(415);
    expect(form.body.errors[0].message).toMatch(/JSON/);
    const huge = await auth.http
      .post('/api/users/signup')
      .send({ ...newAccount(), password: 'x'.repeat(200_000) })
      .expect(413);
    expect(huge.body).toEqual({ errors: [{ message: 'Request body too large' }] });
  });
});

describe('POST /api/users/signin', () => {
  const account = newAccount('signin');

  beforeAll(async () => {
    await auth.http.post('/api/users/signup').send(account).expect(201);
  });

  it('signs in with the right password', async () => {
    const res = await auth.http
      .post('/api/users/signin')
      .send({ email: account.email, password: account.password })
      .expect(200);
    expect(res.body).toMatchObject({ username: account.username, role: 'user' });
    const me = await auth.http.get('/api/users/currentuser').set('Cookie', sessionCookieOf(res)).expect(200);
    expect(me.body.currentUser.username).toBe(account.username);
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const wrong = await auth.http
      .post('/api/users/signin')
      .send({ email: account.email, password: 'wrong password' })
      .expect(400);
    const unknown = await auth.http
      .post('/api/users/signin')
      .send({ email: 'nobody@example.test', password: account.password })
      .expect(400);
    expect(wrong.body).toEqual({ errors: [{ message: 'Invalid email or password' }] });
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('names missing fields', async () => {
    const res = await auth.http.post('/api/users/signin').send({}).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
  });
});

describe('GET /api/users/currentuser and POST /api/users/signout', () => {
  const user = testUser({ username: 'tokenholder' });

  async function currentUserWith(header: [string, string]) {
    const res = await auth.http
      .get('/api/users/currentuser')
      .set(...header)
      .expect(200);
    return res.body.currentUser;
  }

  it('is null without a token', async () => {
    const res = await auth.http.get('/api/users/currentuser').expect(200);
    expect(res.body).toEqual({ currentUser: null });
  });

  it('accepts a session cookie and a bearer token', async () => {
    expect(await currentUserWith(['Cookie', sessionCookieFor(user)])).toEqual(user);
    expect(await currentUserWith(['Authorization', bearerFor(user)])).toEqual(user);
  });

  it.each([
    [
      'tampered',
      () =>
        bearerFor(user).replace(
          /\.[^.]+\./,
          `.${Buffer.from(JSON.stringify({ ...user, role: 'moderator' })).toString('base64url')}.`,
        ),
    ],
    [
      'expired',
      () =>
        `Bearer ${jwt.sign({ ...user, jti: 's', exp: Math.floor(Date.now() / 1000) - 10 }, testTokenKeys.privateKey, { algorithm: 'ES256' })}`,
    ],
    ['signed with another key pair', () => bearerFor(user, generateTokenKeys().privateKey)],
    ['signed with the shared HS256 key of before', () => `Bearer ${jwt.sign({ ...user, jti: 's' }, legacyTestJwtKey)}`],
    [
      'HS256 keyed with the public key',
      () => `Bearer ${jwt.sign({ ...user, jti: 's' }, Buffer.from(testTokenKeys.publicKey), { algorithm: 'HS256' })}`,
    ],
    ['alg none', () => `Bearer ${jwt.sign(user, '', { algorithm: 'none' })}`],
    [
      'missing claims',
      () => `Bearer ${jwt.sign({ id: user.id, jti: 's' }, testTokenKeys.privateKey, { algorithm: 'ES256' })}`,
    ],
    ['garbage', () => 'Bearer not.a.token'],
  ])('treats a %s token as signed out', async (_name, header) => {
    expect(await currentUserWith(['Authorization', header()])).toBeNull();
  });

  it('treats a garbage session cookie as signed out', async () => {
    expect(await currentUserWith(['Cookie', 'session=%%%not-base64'])).toBeNull();
  });

  it('signs out by clearing the session cookie and ending the session: a copy of its token is refused after', async () => {
    const account = newAccount('out');
    const signup = await auth.http.post('/api/users/signup').send(account).expect(201);
    const copied = sessionCookieOf(signup);
    const other = sessionCookieOf(
      await auth.http.post('/api/users/signin').send({ email: account.email, password: account.password }).expect(200),
    );
    const out = await auth.http.post('/api/users/signout').set('Cookie', copied).expect(200);
    expect(out.body).toEqual({});
    const cleared = (out.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('session='));
    expect(cleared).toMatch(/expires=Thu, 01 Jan 1970/i);

    expect(await currentUserWith(['Cookie', copied])).toBeNull();
    expect((await currentUserWith(['Cookie', other]))?.id).toBe(signup.body.id);
    const ended = await auth.events.waitFor('session.ended', (e) => e.data.userId === signup.body.id);
    expect(ended).toMatchObject({ producer: 'auth', version: 0, data: { id: ended.aggregateId } });
    // Signing out again is harmless and announces nothing more.
    await auth.http.post('/api/users/signout').set('Cookie', copied).expect(200);
    await auth.untilSettled();
    expect(auth.events.of('session.ended').filter((e) => e.data.userId === signup.body.id)).toHaveLength(1);
  });
});

describe('POST /api/users/me/password', () => {
  async function signedIn({ email, password }: { email: string; password: string }) {
    const res = await auth.http.post('/api/users/signin').send({ email, password }).expect(200);
    const cookie = sessionCookieOf(res);
    const jwt = JSON.parse(Buffer.from(cookie.slice('session='.length), 'base64').toString()).jwt as string;
    const sessionId = (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    return { id: res.body.id as string, cookie, sessionId };
  }

  it('changes the password and ends every other session of the user, keeping the one that asked', async () => {
    const account = newAccount('pw');
    await auth.http.post('/api/users/signup').send(account).expect(201);
    const [laptop, phone, stolen] = [await signedIn(account), await signedIn(account), await signedIn(account)];
    const stranger = await auth.http.post('/api/users/signup').send(newAccount('stranger')).expect(201);

    await auth.http
      .post('/api/users/me/password')
      .set('Cookie', laptop.cookie)
      .send({ currentPassword: account.password, newPassword: 'a brand new passphrase' })
      .expect(200, {});

    const who = async (cookie: string) =>
      (await auth.http.get('/api/users/currentuser').set('Cookie', cookie).expect(200)).body.currentUser?.id ?? null;
    expect([await who(laptop.cookie), await who(phone.cookie), await who(stolen.cookie)]).toEqual([
      laptop.id,
      null,
      null,
    ]);
    expect(await who(sessionCookieOf(stranger))).toBe(stranger.body.id);
    const old = await auth.http.post('/api/users/signin').send({ email: account.email, password: account.password });
    expect(old.body).toEqual({ errors: [{ message: 'Invalid email or password' }] });
    await signedIn({ email: account.email, password: 'a brand new passphrase' });
    await auth.untilSettled();
    // The sign-up's session, the phone's and the stolen one; not the laptop's.
    const ended = auth.events.of('session.ended').filter((e) => e.data.userId === laptop.id);
    expect(ended).toHaveLength(3);
    expect(ended.map((e) => e.data.id)).not.toContain(laptop.sessionId);
  });

  it.each([
    ['currentPassword', { currentPassword: 'not the password' }, 'Current password is wrong'],
    ['currentPassword', { currentPassword: 'x'.repeat(129) }, 'Password must be at most 128 characters'],
    ['newPassword', { newPassword: 'short' }, 'Password must be 8 to 128 characters'],
    ['newPassword', { newPassword: 'x'.repeat(129) }, 'Password must be 8 to 128 characters'],
  ])('refuses a bad %s (%j) with 400 naming it, changing nothing', async (field, change, message) => {
    const account = newAccount('pwbad');
    await auth.http.post('/api/users/signup').send(account).expect(201);
    const [me, other] = [await signedIn(account), await signedIn(account)];
    const res = await auth.http
      .post('/api/users/me/password')
      .set('Cookie', me.cookie)
      .send({ currentPassword: account.password, newPassword: 'a brand new passphrase', ...change })
      .expect(400);
    expect(res.body).toEqual({ errors: [{ field, message }] });
    // The other session stands and the old password still works.
    const still = await auth.http.get('/api/users/currentuser').set('Cookie', other.cookie).expect(200);
    expect(still.body.currentUser?.id).toBe(other.id);
    await signedIn(account);
  });

  it('answers 401 when signed out', async () => {
    await auth.http
      .post('/api/users/me/password')
      .send({ currentPassword: 'whatever1', newPassword: 'whatever2' })
      .expect(401);
  });
});

describe('password hashes of older parameters', () => {
  it('are replaced at sign-in with a hash at the current parameters, and the password still works', async () => {
    const account = newAccount('rehash');
    const signup = await auth.http.post('/api/users/signup').send(account).expect(201);
    const users = userModel(auth.service.context.db);
    // A hash at weaker parameters than the service's (this suite runs it at N = 1024, p = 1).
    const old = await hashPassword(account.password, { cost: 512, blockSize: 8, parallelization: 1 });
    await users.updateOne({ _id: signup.body.id }, { $set: { passwordHash: old } });

    const credentials = { email: account.email, password: account.password };
    await auth.http.post('/api/users/signin').send(credentials).expect(200);
    const upgraded = (await users.findById(signup.body.id).lean())!.passwordHash;
    expect(upgraded).toMatch(/^scrypt\$1024\$8\$1\$/);
    await auth.http.post('/api/users/signin').send(credentials).expect(200);
  });
});

describe('rate limiting', () => {
  it('answers 429 in the error format once a client makes too many attempts', async () => {
    const limited = await startAuth({ AUTH_RATE_LIMIT_MAX: '3' });
    try {
      const attempt = () =>
        limited.http.post('/api/users/signin').send({ email: 'a@example.test', password: 'whatever1' });
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(400);
      const res = await attempt();
      expect(res.status).toBe(429);
      expect(res.body).toEqual({ errors: [{ message: 'Too many attempts, try again later' }] });
      // sign-up shares the budget
      expect((await limited.http.post('/api/users/signup').send(newAccount())).status).toBe(429);
      // other routes are not limited
      await limited.http.get('/api/users/currentuser').expect(200);
    } finally {
      await limited.stop();
    }
  });
});

describe('errors', () => {
  it('answers unknown routes with a JSON 404 and every response with a request id', async () => {
    const res = await auth.http.get('/api/users/nobody/else').expect(404);
    expect(res.body).toEqual({ errors: [{ message: 'No route for GET /api/users/nobody/else' }] });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await auth.http.get('/api/users/currentuser').set('X-Request-Id', 'gateway-assigned-id-1');
    expect(kept.headers['x-request-id']).toBe('gateway-assigned-id-1');
  });
});

describe('roles follow MODERATOR_EMAILS', () => {
  it("takes the role back at auth's next start: the moderator's sessions end and user.updated says so", async () => {
    const account = newAccount('mod');
    const first = await startAuth({ MODERATOR_EMAILS: account.email });
    let second: AuthUnderTest | undefined;
    try {
      const signup = await first.http.post('/api/users/signup').send(account).expect(201);
      // The role comes with the proven address; the session is renewed with it.
      const token = linkToken(await first.mailbox.waitForMail(account.email));
      const proven = await first.http
        .post('/api/users/verify-email')
        .set('Cookie', sessionCookieOf(signup))
        .send({ token })
        .expect(200);
      expect(proven.body.role).toBe('moderator');
      const moderatorCookie = sessionCookieOf(proven);
      await first.stop();

      second = await startAuth({ MODERATOR_EMAILS: 'someone-else@example.test' }, first.namespace);
      // The first user.updated (recorded from the stream's start) gave the role; this one takes it back.
      const updated = await second.events.waitFor(
        'user.updated',
        (e) => e.aggregateId === signup.body.id && e.data.role === 'user',
      );
      expect(updated.version).toBeGreaterThan(0);
      const me = await second.http.get('/api/users/currentuser').set('Cookie', moderatorCookie).expect(200);
      expect(me.body.currentUser).toBeNull();
      const again = await second.http
        .post('/api/users/signin')
        .send({ email: account.email, password: account.password })
        .expect(200);
      expect(again.body.role).toBe('user');
    } finally {
      await (second ?? first).stop().catch(() => undefined);
    }
  });
});
