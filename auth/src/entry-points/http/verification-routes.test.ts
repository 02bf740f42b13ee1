import { MongoClient } from 'mongodb';
import { linkToken } from '@postline/common/testing';
import { newAccount, startAuth, type AuthUnderTest } from '../../testing/start-auth';

/**
 * The emailed links against a real SMTP server (Mailpit, its inbox read through its API) and the
 * real test database: what each mail says, that links work once and not late, that answers do not
 * tell who has an account, and that a role needs a proven address.
 */
let auth: AuthUnderTest;
let mongo: MongoClient;
const moderatorEmail = 'verified-mod@example.test';

beforeAll(async () => {
  auth = await startAuth({ MODERATOR_EMAILS: moderatorEmail, VERIFY_LINK_TTL_MINUTES: '60' });
  mongo = await MongoClient.connect(process.env.TEST_MONGO_URL!);
});

afterAll(async () => {
  await mongo.close();
  await auth.stop();
});

const links = () => mongo.db(`${auth.namespace}-auth`).collection('email_links');
const users = () => mongo.db(`${auth.namespace}-auth`).collection('users');

function sessionCookieOf(res: { headers: Record<string, unknown> }): string {
  const cookies = res.headers['set-cookie'] as string[] | undefined;
  const session = cookies?.find((c) => c.startsWith('session='));
  if (!session) throw new Error('no session cookie set');
  return session.split(';')[0]!;
}

async function signUp(account = newAccount()) {
  const res = await auth.http.post('/api/users/signup').send(account).expect(201);
  return { account, id: res.body.id as string, cookie: sessionCookieOf(res) };
}

describe('verification at sign-up', () => {
  it('mails a single-use link that proves the address; only its hash is stored', async () => {
    const { account, id, cookie } = await signUp();
    const mail = await auth.mailbox.waitForMail(account.email);
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.links[0]).toMatch(/^http:\/\/blog\.example\.test\/verify-email#token=[\w-]{43}$/);
    const token = linkToken(mail);
    const stored = await links().find({ userId: id }).toArray();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);

    const res = await auth.http.post('/api/users/verify-email').set('Cookie', cookie).send({ token }).expect(200);
    expect(res.body).toEqual({ id, email: account.email, username: account.username, role: 'user' });
    expect((await users().findOne({ _id: id as never }))?.verifiedEmail).toBe(account.email);
    const again = await auth.http.post('/api/users/verify-email').send({ token }).expect(400);
    expect(again.body).toEqual({ errors: [{ field: 'token', message: 'This link is invalid or has expired' }] });
  });

  it('refuses a link past its time, and one never mailed', async () => {
    const { account, id } = await signUp();
    const token = linkToken(await auth.mailbox.waitForMail(account.email));
    await links().updateMany({ userId: id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await auth.http.post('/api/users/verify-email').send({ token }).expect(400);
    await auth.http
      .post('/api/users/verify-email')
      .send({ token: 'B'.repeat(43) })
      .expect(400);
    await auth.http.post('/api/users/verify-email').send({ token: 'short' }).expect(400);
    expect((await users().findOne({ _id: id as never }))?.verifiedEmail).toBeUndefined();
  });

  it('grants a listed address its role only once proven, renewing the session, and announces the role', async () => {
    const { id, cookie } = await signUp({ ...newAccount('mod'), email: moderatorEmail });
    expect((await auth.http.get('/api/users/currentuser').set('Cookie', cookie)).body.currentUser.role).toBe('user');
    const signedIn = await auth.http
      .post('/api/users/signin')
      .send({ email: moderatorEmail, password: 'correct horse battery' })
      .expect(200);
    expect(signedIn.body.role).toBe('user');

    const token = linkToken(await auth.mailbox.waitForMail(moderatorEmail));
    const res = await auth.http.post('/api/users/verify-email').set('Cookie', cookie).send({ token }).expect(200);
    expect(res.body.role).toBe('moderator');
    const renewed = sessionCookieOf(res);
    expect((await auth.http.get('/api/users/currentuser').set('Cookie', renewed)).body.currentUser.role).toBe(
      'moderator',
    );
    const event = await auth.events.waitFor('user.updated', (e) => e.aggregateId === id);
    expect(event).toMatchObject({ version: 1, data: { id, role: 'moderator' } });
  });

  it('makes an account for an address another account has, but mails no link for it: the holder hears of it', async () => {
    const holder = await signUp();
    await auth.mailbox.waitForMail(holder.account.email);
    const second = { ...newAccount('second'), email: holder.account.email, password: 'another password' };
    const res = await auth.http.post('/api/users/signup').send(second).expect(201);
    expect(res.body).toMatchObject({ email: holder.account.email, username: second.username, role: 'user' });

    const mail = await auth.mailbox.waitForMail(holder.account.email, 2);
    expect(mail.subject).toBe('Someone signed up with your address');
    expect(mail.text).toContain(`"${second.username}"`);
    expect(mail.text).toContain(`"${holder.account.username}"`);
    expect(mail.links.some((l) => l.includes('#token='))).toBe(false);
    expect(await links().countDocuments({ userId: res.body.id })).toBe(0);
    // Signing in with the address reaches its holder only.
    await auth.http
      .post('/api/users/signin')
      .send({ email: holder.account.email, password: second.password })
      .expect(400);
    await auth.http
      .post('/api/users/signin')
      .send({ email: holder.account.email, password: holder.account.password })
      .expect(200);
  });

  it('sends another link on request, and the older one stops working', async () => {
    const { account, cookie } = await signUp();
    const first = linkToken(await auth.mailbox.waitForMail(account.email));
    await auth.http.post('/api/users/me/verification').set('Cookie', cookie).send({}).expect(202);
    const second = linkToken(await auth.mailbox.waitForMail(account.email, 2));
    expect(second).not.toBe(first);
    await auth.http.post('/api/users/verify-email').send({ token: first }).expect(400);
    await auth.http.post('/api/users/verify-email').send({ token: second }).expect(200);
    await auth.http.post('/api/users/me/verification').send({}).expect(401);
  });
});

describe('email change', () => {
  it('moves the account to the new address only when its link is followed', async () => {
    const { account, id, cookie } = await signUp();
    const newEmail = `moved-${account.email}`;
    await auth.http
      .post('/api/users/me/email')
      .set('Cookie', cookie)
      .send({ email: newEmail, password: 'wrong password' })
      .expect(400);
    await auth.http
      .post('/api/users/me/email')
      .set('Cookie', cookie)
      .send({ email: newEmail.toUpperCase(), password: account.password })
      .expect(202);
    expect((await users().findOne({ _id: id as never }))?.email).toBe(account.email);
    const token = linkToken(await auth.mailbox.waitForMail(newEmail));
    const res = await auth.http.post('/api/users/verify-email').send({ token }).expect(200);
    expect(res.body.email).toBe(newEmail);
    await auth.http.post('/api/users/signin').send({ email: newEmail, password: account.password }).expect(200);
  });

  it('sends no link to an address another account has, and says the same', async () => {
    const other = await signUp();
    const { cookie, account } = await signUp();
    await auth.mailbox.waitForMail(other.account.email);
    await auth.http
      .post('/api/users/me/email')
      .set('Cookie', cookie)
      .send({ email: other.account.email, password: account.password })
      .expect(202);
    const mail = await auth.mailbox.waitForMail(other.account.email, 2);
    expect(mail.subject).toBe('Someone asked to use your address');
    expect(mail.links).toEqual([]);
  });
});

describe('password reset', () => {
  it('answers the same for an address with an account and one without; the mail says which', async () => {
    const { account } = await signUp();
    const unknown = `nobody-${account.email}`;
    const known = await auth.http.post('/api/users/password-reset').send({ email: account.email }).expect(202);
    const none = await auth.http.post('/api/users/password-reset').send({ email: unknown }).expect(202);
    expect(known.body).toEqual({});
    expect(none.body).toEqual({});
    expect(known.headers['set-cookie']).toBeUndefined();
    const noAccount = await auth.mailbox.waitForMail(unknown);
    expect(noAccount.subject).toBe('No Postline account for this address');
    expect(noAccount.links.some((l) => l.includes('#token='))).toBe(false);
    const reset = await auth.mailbox.waitForMail(account.email, 2);
    expect(reset.subject).toBe('Choose a new password');
    expect(reset.links[0]).toMatch(/^http:\/\/blog\.example\.test\/reset-password#token=/);
  });

  it('sets the password once per link, signs in, proves the address, and refuses a late link', async () => {
    const { account, id } = await signUp();
    await auth.http.post('/api/users/password-reset').send({ email: account.email }).expect(202);
    const token = linkToken(await auth.mailbox.waitForMail(account.email, 2));
    await auth.http.post('/api/users/password-reset/complete').send({ token, password: 'short' }).expect(400);
    // A refused password leaves the link usable.
    const res = await auth.http
      .post('/api/users/password-reset/complete')
      .send({ token, password: 'a new password' })
      .expect(200);
    expect(res.body).toMatchObject({ id, email: account.email });
    expect(sessionCookieOf(res)).toMatch(/^session=/);
    expect((await users().findOne({ _id: id as never }))?.verifiedEmail).toBe(account.email);
    await auth.http
      .post('/api/users/password-reset/complete')
      .send({ token, password: 'a third password' })
      .expect(400);
    await auth.http.post('/api/users/signin').send({ email: account.email, password: account.password }).expect(400);
    await auth.http.post('/api/users/signin').send({ email: account.email, password: 'a new password' }).expect(200);

    await auth.http.post('/api/users/password-reset').send({ email: account.email }).expect(202);
    const late = linkToken(await auth.mailbox.waitForMail(account.email, 3));
    await links().updateMany({ userId: id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await auth.http
      .post('/api/users/password-reset/complete')
      .send({ token: late, password: 'too late now' })
      .expect(400);
  });

  it('names an invalid address or password, and unknown fields', async () => {
    const res = await auth.http.post('/api/users/password-reset').send({ email: 'nope', extra: 1 }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'extra']);
  });
});
