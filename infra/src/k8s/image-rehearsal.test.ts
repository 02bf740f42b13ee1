import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, testTokenKeys, testUrls, uniqueNamespace } from '@postline/common/testing';
import { parse } from 'yaml';
import { buildContextFiles } from './build-context';
import { DockerfileRehearsal, startImage } from './dockerfile-rehearsal';
import { deployableFolders, root } from './repository';

/**
 * Each image's build, rehearsed without Docker on exactly the files its build
 * context would send: the same npm install and build steps, the final stage
 * assembled as its COPY --from lines say, then its CMD started against the
 * test database and NATS until /healthz answers. One test per service folder
 * that exists, so a new service is rehearsed as soon as it lands.
 */
jest.setTimeout(15 * 60_000);

interface Artifact {
  image: string;
  context: string;
  docker: { dockerfile: string; buildArgs?: Record<string, string> };
}
const artifacts = (parse(readFileSync(join(root, 'skaffold.yaml'), 'utf8')) as { build: { artifacts: Artifact[] } })
  .build.artifacts;

let workRoot: string;
beforeAll(() => {
  workRoot = mkdtempSync(join(tmpdir(), 'postline-rehearsal-'));
});
afterAll(() => {
  rmSync(workRoot, { recursive: true, force: true });
});

describe('the build context (.dockerignore)', () => {
  const files = buildContextFiles(root, join(root, 'infra/k8s/images/service.Dockerfile'));
  it('leaves out dependencies, build output, local state, git and tests', () => {
    const unwanted = files.filter(
      (f) => /(^|\/)(node_modules|dist|\.next|\.postline|\.git|coverage|data)\//.test(f) || /\.test\.tsx?$/.test(f),
    );
    expect(unwanted).toEqual([]);
  });
  it('sends the sources, manifests and the dev entrypoint the images need', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        'common/package.json',
        'tsconfig.base.json',
        'infra/k8s/images/dev-entrypoint.sh',
      ]),
    );
  });
});

/**
 * The client has no database and needs no event bus to serve (its page cache waits for NATS), so no
 * /readyz; its server may exit 143 on SIGTERM.
 */
const isBackendService = (folder: string) => folder !== 'client';

describe.each(deployableFolders())('the %s image', (folder) => {
  it('builds from its context, starts, answers /healthz and stops on SIGTERM', async () => {
    const artifact = artifacts.find((a) => a.image === folder);
    if (!artifact) throw new Error(`skaffold.yaml has no image for the ${folder} folder`);
    const rehearsal = new DockerfileRehearsal(
      join(root, artifact.context),
      join(root, artifact.context, artifact.docker.dockerfile),
      artifact.docker.buildArgs ?? {},
      workRoot,
    );
    const image = rehearsal.build();

    const { mongoUrl, natsUrl } = testUrls();
    const namespace = uniqueNamespace('img');
    const port = await freePort();
    // Containers use 9464; here other tests' processes may hold it, so the image gets a free one.
    const metricsPort = await freePort();
    const child = startImage(image, {
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      JWT_PUBLIC_KEY: testTokenKeys.publicKey,
      ...(folder === 'auth' ? { JWT_PRIVATE_KEY: testTokenKeys.privateKey } : {}),
      MONGO_URL: `${mongoUrl}/${namespace}-${folder}`,
      NATS_URL: natsUrl,
      EVENTS_NAMESPACE: namespace,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const health = await poll(port, '/healthz', child, 60_000);
      expect({ health, output: health === 200 ? '' : output }).toEqual({ health: 200, output: '' });
      if (isBackendService(folder)) {
        // Connected to the test database and NATS, consumers running: what the readiness probe waits for.
        const ready = await poll(port, '/readyz', child, 60_000);
        expect({ ready, output: ready === 200 ? '' : output }).toEqual({ ready: 200, output: '' });
      }
      // The services and the client alike (the PodMonitoring scrapes both).
      expect(await poll(metricsPort, '/metrics', child, 10_000)).toBe(200);
    } finally {
      const { code, signal } = await stop(child);
      if (isBackendService(folder)) {
        expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
      } else {
        expect(signal).not.toBe('SIGKILL');
      }
    }
  });
});

/** SIGTERM, as Kubernetes sends it; SIGKILL after 15 s (a pod's drain must fit well within its grace period). */
async function stop(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code, signal] = (await exited) as [number | null, string | null];
  clearTimeout(timer);
  return { code, signal };
}

/** Polls a path until it answers 200; returns the last status or why it never answered. */
async function poll(port: number, path: string, child: ChildProcess, timeoutMs: number): Promise<number | string> {
  const deadline = Date.now() + timeoutMs;
  let last: number | string = 'no answer';
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
      last = response.status;
      if (response.ok) return last;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return child.exitCode === null && child.signalCode === null ? last : `exited (${child.exitCode ?? child.signalCode})`;
}
