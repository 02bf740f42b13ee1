import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, EventNames, natsAuthorization, natsPasswordVariable, natsUsers, newEvent } from '@postline/common';
import { natsServerBinary, startNats, type LocalServer } from '@postline/common/testing';
import { pino } from 'pino';
import { renderOverlay, type KubeObject } from './kustomize';
import { ofKind } from './manifest-checks';
import { authorizationValues } from './nats-chart';
import { k8sDir } from './repository';

// NATS as the official chart renders it (infra/k8s/nats/render.sh): the users in it are the
// permission table's, and the configuration it renders is one the real nats-server accepts and
// enforces.

jest.setTimeout(60_000);

const overlays = ['local', 'gke'];
const rendered = Object.fromEntries(overlays.map((o) => [o, renderOverlay(o)]));
const natsConf = (objects: KubeObject[]): string =>
  ofKind(objects, 'ConfigMap').find((c) => c.metadata.name === 'nats-config')!.data['nats.conf'];
// Dummy values for what the configuration reads from the container's environment.
const passwords = Object.fromEntries(natsUsers.map((user) => [user, `p${user.length}9e3${user}0123456789abcdef`]));
const env = {
  SERVER_NAME: 'nats-0',
  ...Object.fromEntries(natsUsers.map((user) => [natsPasswordVariable(user), passwords[user]!])),
};

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'postline-nats-chart-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConf(overlay: string, edit = (conf: string) => conf): string {
  const file = join(dir, `${overlay}.conf`);
  writeFileSync(file, edit(natsConf(rendered[overlay]!)));
  return file;
}

it('commits the chart values the permission table makes (render.sh writes them)', () => {
  expect(readFileSync(join(k8sDir, 'nats', 'values-authorization.yaml'), 'utf8')).toBe(authorizationValues());
});

describe.each(overlays)('the %s overlay', (overlay) => {
  it("renders the permission table's users, passwords from the environment", () => {
    // nats.conf is the chart's JSON with variables and sizes unquoted: quote them back to read it.
    const json = natsConf(rendered[overlay]!).replace(/: ([^"{[\s][^,\n]*)(,?)$/gm, ': "$1"$2');
    expect(JSON.parse(json).authorization).toEqual(natsAuthorization(new EventNames()));
  });

  it('gives the NATS container every password from its Secret, and each service only its own', () => {
    const [nats] = ofKind(rendered[overlay]!, 'StatefulSet').filter((s) => s.metadata.name === 'nats');
    const container = nats!.spec.template.spec.containers.find((c: { name: string }) => c.name === 'nats');
    for (const user of natsUsers) {
      expect(container.env).toContainEqual({
        name: natsPasswordVariable(user),
        valueFrom: { secretKeyRef: { name: `${user}-nats-credentials`, key: 'password' } },
      });
    }
    // Postline's own Deployments (not the local overlay's Mailpit, which speaks no NATS).
    const clients = ofKind(rendered[overlay]!, 'Deployment').filter((d) =>
      (natsUsers as readonly string[]).includes(d.metadata.name),
    );
    expect(clients.length).toBeGreaterThanOrEqual(5);
    for (const deployment of clients) {
      const app = deployment.metadata.name;
      const [main] = deployment.spec.template.spec.containers;
      const vars = Object.fromEntries((main.env ?? []).map((e: { name: string }) => [e.name, e]));
      expect(vars.NATS_USER?.value).toBe(app);
      expect(vars.NATS_PASSWORD?.valueFrom).toEqual({
        secretKeyRef: { name: `${app}-nats-credentials`, key: 'password' },
      });
    }
  });

  it('renders a configuration the real nats-server accepts (nats-server -t)', () => {
    const check = spawnSync(natsServerBinary(), ['-t', '-c', writeConf(overlay)], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect(`${check.stdout}${check.stderr}`).toMatch(/configuration file .* is valid/);
    expect(check.status).toBe(0);
  });
});

describe('the local overlay’s configuration, running', () => {
  let server: LocalServer;
  const buses: EventBus[] = [];
  beforeAll(async () => {
    // The one line changed: the store directory (/data in the pod) is this machine's temporary one.
    const conf = writeConf('local', (text) => text.replace('"store_dir": "/data"', ''));
    server = await startNats({ config: { file: conf, env } });
  });
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await server?.dispose();
  });

  it("lets comments publish its own subjects and refuses it moderation's", async () => {
    const logger = pino({ level: 'silent' });
    const comments = await EventBus.connect({
      url: server.url,
      name: 'comments',
      logger,
      user: 'comments',
      password: passwords.comments,
    });
    buses.push(comments);
    const at = new Date().toISOString();
    const comment = {
      id: 'c1',
      postId: 'p1',
      authorId: 'a1',
      authorUsername: 'a',
      body: 'hi',
      status: 'pending' as const,
    };
    await expect(
      comments.publish(
        newEvent('comment.created', {
          producer: 'comments',
          aggregateId: 'c1',
          version: 0,
          data: { ...comment, createdAt: at, updatedAt: at },
        }),
      ),
    ).resolves.toMatchObject({ stream: 'COMMENTS' });
    await expect(
      comments.publish(
        newEvent('comment.moderated', {
          producer: 'comments',
          aggregateId: 'c1',
          version: 0,
          data: { commentId: 'c1', postId: 'p1', commentVersion: 0, status: 'approved', reason: '' },
        }),
      ),
    ).rejects.toThrow(/permissions violation/i);
  });
});
