import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually, freePort, startNats, testTokenKeys, testUrls, uniqueNamespace } from '@postline/common/testing';

/**
 * The compiled service as operators run it (`node auth/dist/index.js`, built
 * by `npm test`'s pretest): configuration failures, readiness and shutdown.
 */
const entry = join(__dirname, '..', 'dist', 'index.js');

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', METRICS_PORT: '0', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('auth as a process', () => {
  it('exits 1 naming the token keys when they are missing, and every other problem at once', async () => {
    const proc = run({ MONGO_URL: 'postgres://wrong', PORT: 'eighty' });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('JWT_PUBLIC_KEY is required');
    expect(proc.stderr()).toContain('JWT_PRIVATE_KEY is required');
    expect(proc.stderr()).toContain('MONGO_URL: must be a mongodb:// or mongodb+srv:// URL');
    expect(proc.stderr()).toMatch(/PORT: /);
    expect(proc.stderr()).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('stays up while MongoDB and NATS are out of reach, naming them in /readyz, and exits 0 at once on SIGTERM', async () => {
    const port = await freePort();
    const mongoUrl = `mongodb://127.0.0.1:${await freePort()}/x`;
    const natsUrl = `nats://127.0.0.1:${await freePort()}`;
    const proc = run({
      JWT_PUBLIC_KEY: testTokenKeys.publicKey,
      JWT_PRIVATE_KEY: testTokenKeys.privateKey,
      MONGO_URL: mongoUrl,
      NATS_URL: natsUrl,
      PORT: String(port),
    });
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 10_000, 'healthz');
    const waiting = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([waiting.status, await waiting.json()]).toEqual([
      503,
      {
        status: 'not ready',
        checks: { mongo: false, nats: false, consumers: false },
        waitingFor: [
          `MongoDB at ${mongoUrl} (MONGO_URL)`,
          `NATS at ${natsUrl} (NATS_URL)`,
          'auth to start its routes and event consumers',
        ],
      },
    ]);
    // A request that arrives before the routes are mounted: a JSON 503 to retry, not a 404.
    const early = await fetch(`http://127.0.0.1:${port}/api/users/currentuser`);
    expect([early.status, early.headers.get('retry-after'), await early.json()]).toEqual([
      503,
      '1',
      { errors: [{ message: 'auth is starting; try again in a moment' }] },
    ]);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });

  it('is alive but not ready until NATS is up, then ready, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const natsPort = await freePort();
    const namespace = uniqueNamespace();
    const proc = run({
      JWT_PUBLIC_KEY: testTokenKeys.publicKey,
      JWT_PRIVATE_KEY: testTokenKeys.privateKey,
      MONGO_URL: `${testUrls().mongoUrl}/${namespace}-auth`,
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      EVENTS_NAMESPACE: namespace,
      PORT: String(port),
    });
    const nats = await startNats({ port: natsPort }).catch(() => undefined);
    await nats?.stop(); // make sure it is down; we start it below on the same port
    try {
      const base = `http://127.0.0.1:${port}`;
      await eventually(async () => (await fetch(`${base}/healthz`)).ok, 10_000, 'healthz');
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ status: 'not ready', checks: { nats: false } });

      await nats!.start();
      const ready = await eventually(
        async () => {
          const res = await fetch(`${base}/readyz`);
          return res.ok && res.json();
        },
        15_000,
        'readyz',
      );
      expect(ready).toEqual({ status: 'ready', checks: { mongo: true, nats: true, consumers: true } });

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      proc.child.kill('SIGKILL');
      await nats?.dispose();
    }
  });
});
