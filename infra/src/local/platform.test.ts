import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isListening } from '@postline/common/testing';
import { startPlatform, type Platform } from './platform';

/** What `npm start` runs, checked the way the README tells a new user to try it: curl through the gateway. */
describe('the local platform', () => {
  let platform: Platform | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'postline-platform-'));

  afterAll(async () => {
    await platform?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves sign-up, currentuser, sign-out and sign-in through the gateway, and stops leaving nothing behind', async () => {
    platform = await startPlatform({ freePorts: true, dataDir, log: () => undefined });
    const api = (path: string, init: RequestInit = {}, cookie?: string) =>
      fetch(`${platform!.url}${path}`, {
        ...init,
        headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
      });

    const account = { email: 'ada@example.com', username: 'ada', password: 'correct horse' };
    const signup = await api('/api/users/signup', { method: 'POST', body: JSON.stringify(account) });
    expect(signup.status).toBe(201);
    const cookie = signup.headers.get('set-cookie')!.split(';')[0]!;

    const me = await api('/api/users/currentuser', {}, cookie);
    expect(((await me.json()) as { currentUser: { username: string } }).currentUser.username).toBe('ada');

    const out = await api('/api/users/signout', { method: 'POST' }, cookie);
    expect(out.status).toBe(200);
    const signin = await api('/api/users/signin', {
      method: 'POST',
      body: JSON.stringify({ email: account.email, password: account.password }),
    });
    expect(signin.status).toBe(200);

    const unknown = await api('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ errors: [{ message: 'No route for GET /api/nothing-here' }] });

    const ports = [platform.url, platform.mongoUrl, platform.natsUrl, ...Object.values(platform.services)].map((url) =>
      Number(new URL(url.replace(/^(mongodb|nats):/, 'http:')).port),
    );
    await platform.stop();
    platform = undefined;
    for (const port of ports) expect(await isListening(port)).toBe(false);
  });
});
