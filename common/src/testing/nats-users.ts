import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventNames, natsAuthorizationConfig, natsPasswordVariable, natsUsers, type NatsUser } from '../events';
import { startNats, type LocalServer } from './local-servers';

export interface NatsWithUsers {
  server: LocalServer;
  url: string;
  /** A user's connection options (EventBus's `user` and `password`). */
  credentials(user: NatsUser): { user: NatsUser; password: string };
  dispose(): Promise<void>;
}

/**
 * A nats-server of its own that admits only the users of the permission table
 * (common/src/events/permissions.ts), for one event namespace: passwords from its environment, as
 * on Kubernetes, in the form create-secrets.sh makes them (`p` and hex: nats-server would read a
 * digit-first value as a number).
 */
export async function startNatsWithUsers(namespace: string): Promise<NatsWithUsers> {
  const dir = mkdtempSync(join(tmpdir(), 'postline-nats-users-'));
  const file = join(dir, 'nats.conf');
  writeFileSync(file, natsAuthorizationConfig(new EventNames(namespace)));
  const passwords = new Map(natsUsers.map((user, i) => [user, `p${i}1e5${user.length}abcdef0123456789`]));
  const env = Object.fromEntries(natsUsers.map((user) => [natsPasswordVariable(user), passwords.get(user)!]));
  const server = await startNats({ config: { file, env } });
  return {
    server,
    url: server.url,
    credentials: (user) => ({ user, password: passwords.get(user)! }),
    dispose: async () => {
      await server.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
