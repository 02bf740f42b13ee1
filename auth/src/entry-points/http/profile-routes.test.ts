import { newAccount, startAuth, type AuthUnderTest } from '../../testing/start-auth';

let auth: AuthUnderTest;

beforeAll(async () => {
  auth = await startAuth();
});

afterAll(async () => {
  await auth.stop();
});

/** Signs a new user up and returns their id, username and session cookie. */
async function signedUp(prefix = 'p') {
  const account = newAccount(prefix);
  const res = await auth.http.post('/api/users/signup').send(account).expect(201);
  const cookie = (res.headers['set-cookie'] as unknown as string[])
    .find((c) => c.startsWith('session='))!
    .split(';')[0]!;
  return { id: res.body.id as string, username: account.username, cookie };
}

describe('GET /api/users/:username', () => {
  it('shows the public profile, without email', async () => {
    const user = await signedUp();
    const res = await auth.http.get(`/api/users/${user.username}`).expect(200);
    expect(res.body).toEqual({
      id: user.id,
      username: user.username,
      role: 'user',
      bio: '',
      image: '',
      followerCount: 0,
      followingCount: 0,
      followedByMe: false,
      createdAt: expect.any(String),
    });
  });

  it('answers 404 for an unknown user, whatever the name looks like', async () => {
    await auth.http.get('/api/users/nobody_here').expect(404);
    const odd = await auth.http.get('/api/users/%24where').expect(404);
    expect(odd.body).toEqual({ errors: [{ message: 'User not found' }] });
  });
});

describe('PATCH /api/users/me', () => {
  it('needs a signed-in user', async () => {
    const res = await auth.http.patch('/api/users/me').send({ bio: 'hi' }).expect(401);
    expect(res.body).toEqual({ errors: [{ message: 'Not signed in' }] });
  });

  it('updates bio and image and announces user.updated at the next version', async () => {
    const user = await signedUp();
    const res = await auth.http
      .patch('/api/users/me')
      .set('Cookie', user.cookie)
      .send({ bio: 'Writes about otters', image: 'https://example.test/me.png' })
      .expect(200);
    expect(res.body).toMatchObject({ bio: 'Writes about otters', image: 'https://example.test/me.png' });
    const event = await auth.events.waitFor('user.updated', (e) => e.aggregateId === user.id);
    expect(event).toMatchObject({ version: 1, data: { id: user.id, bio: 'Writes about otters' } });
  });

  it('publishes nothing when nothing changes', async () => {
    const user = await signedUp();
    await auth.http.patch('/api/users/me').set('Cookie', user.cookie).send({ bio: '' }).expect(200);
    await auth.events.waitFor('user.created', (e) => e.aggregateId === user.id);
    await auth.untilSettled();
    expect(auth.events.of('user.updated').filter((e) => e.aggregateId === user.id)).toHaveLength(0);
  });

  it.each([
    ['bio', { bio: 'x'.repeat(501) }, 'Bio must be at most 500 characters'],
    ['bio', { bio: 7 }, 'Bio must be text'],
    ['image', { image: 'javascript:alert(1)' }, 'Image must be an http(s) URL or empty'],
    ['username', { username: 'renamed' }, 'Unknown field'],
    ['role', { role: 'moderator' }, 'Unknown field'],
  ])('rejects %s %j with 400 and changes nothing', async (field, body, message) => {
    const user = await signedUp();
    const res = await auth.http.patch('/api/users/me').set('Cookie', user.cookie).send(body).expect(400);
    expect(res.body).toEqual({ errors: [{ field, message }] });
    const profile = await auth.http.get(`/api/users/${user.username}`).expect(200);
    expect(profile.body).toMatchObject({ bio: '', image: '', role: 'user', username: user.username });
  });
});

describe('follow and unfollow', () => {
  it('follows, counts, and announces user.followed once even when asked twice', async () => {
    const reader = await signedUp('reader');
    const writer = await signedUp('writer');

    const first = await auth.http.post(`/api/users/${writer.username}/follow`).set('Cookie', reader.cookie).expect(200);
    expect(first.body).toMatchObject({ username: writer.username, followerCount: 1, followedByMe: true });
    const again = await auth.http.post(`/api/users/${writer.username}/follow`).set('Cookie', reader.cookie).expect(200);
    expect(again.body).toMatchObject({ followerCount: 1, followedByMe: true });

    const readerProfile = await auth.http.get(`/api/users/${reader.username}`).expect(200);
    expect(readerProfile.body.followingCount).toBe(1);
    const seenByWriter = await auth.http.get(`/api/users/${writer.username}`).set('Cookie', writer.cookie).expect(200);
    expect(seenByWriter.body.followedByMe).toBe(false);

    const event = await auth.events.waitFor('user.followed', (e) => e.aggregateId === reader.id);
    expect(event).toMatchObject({ version: 1, data: { followerId: reader.id, followeeId: writer.id } });
    await auth.untilSettled();
    expect(auth.events.of('user.followed').filter((e) => e.aggregateId === reader.id)).toHaveLength(1);
  });

  it('unfollows once, harmlessly when not following', async () => {
    const reader = await signedUp('reader');
    const writer = await signedUp('writer');
    await auth.http.delete(`/api/users/${writer.username}/follow`).set('Cookie', reader.cookie).expect(200);
    await auth.http.post(`/api/users/${writer.username}/follow`).set('Cookie', reader.cookie).expect(200);
    const res = await auth.http.delete(`/api/users/${writer.username}/follow`).set('Cookie', reader.cookie).expect(200);
    expect(res.body).toMatchObject({ followerCount: 0, followedByMe: false });
    await auth.http.delete(`/api/users/${writer.username}/follow`).set('Cookie', reader.cookie).expect(200);

    const unfollowed = await auth.events.waitFor('user.unfollowed', (e) => e.aggregateId === reader.id);
    expect(unfollowed.version).toBe(2); // created 0, followed 1, unfollowed 2
    await auth.untilSettled();
    expect(auth.events.of('user.unfollowed').filter((e) => e.aggregateId === reader.id)).toHaveLength(1);
  });

  it('refuses to follow yourself, an unknown user, or anyone while signed out', async () => {
    const user = await signedUp();
    const self = await auth.http.post(`/api/users/${user.username}/follow`).set('Cookie', user.cookie).expect(400);
    expect(self.body).toEqual({ errors: [{ message: 'You cannot follow yourself' }] });
    await auth.http.post('/api/users/nobody_here/follow').set('Cookie', user.cookie).expect(404);
    await auth.http.post(`/api/users/${user.username}/follow`).expect(401);
    const profile = await auth.http.get(`/api/users/${user.username}`).expect(200);
    expect(profile.body).toMatchObject({ followerCount: 0, followingCount: 0 });
  });

  it('keeps versions gap-free when follows race', async () => {
    const reader = await signedUp('racer');
    const writers = await Promise.all([1, 2, 3, 4].map(() => signedUp('w')));
    await Promise.all(
      writers.map((w) => auth.http.post(`/api/users/${w.username}/follow`).set('Cookie', reader.cookie).expect(200)),
    );
    const profile = await auth.http.get(`/api/users/${reader.username}`).expect(200);
    expect(profile.body.followingCount).toBe(4);
    await auth.events.waitFor('user.followed', (e) => e.aggregateId === reader.id && e.version === 4);
    const versions = auth.events
      .of('user.followed')
      .filter((e) => e.aggregateId === reader.id)
      .map((e) => e.version)
      .sort();
    expect(versions).toEqual([1, 2, 3, 4]);
  });
});
