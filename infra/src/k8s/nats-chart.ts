import { EventNames, natsAuthorization, natsPasswordVariable, natsUsers, type NatsUser } from '@postline/common';
import { stringify } from 'yaml';

/**
 * The NATS chart's values for Postline's users (infra/k8s/nats/values-authorization.yaml), made
 * from the permission table: the `authorization` block of the server's configuration, each
 * password an environment variable the chart's container reads from the user's Secret, which
 * create-secrets.sh makes. `render.sh` writes it; a test checks the committed file is this.
 */
export function natsSecretName(user: NatsUser): string {
  return `${user}-nats-credentials`;
}

export function authorizationValues(): string {
  const authorization = natsAuthorization(new EventNames());
  // The chart writes a string `<< x >>` unquoted into nats.conf: the server expands the variable.
  for (const user of authorization.users) user.password = `<< ${user.password} >>`;
  const env = Object.fromEntries(
    natsUsers.map((user) => [
      natsPasswordVariable(user),
      { valueFrom: { secretKeyRef: { name: natsSecretName(user), key: 'password' } } },
    ]),
  );
  return [
    '# Generated from common/src/events/permissions.ts by infra/k8s/nats/render.sh: do not edit.',
    '# Every user of NATS, with what it may publish and subscribe to; passwords from the Secrets',
    '# <user>-nats-credentials (key password) that ../create-secrets.sh makes.',
    stringify({ config: { merge: { authorization } }, container: { env } }, { lineWidth: 0, singleQuote: true }),
  ].join('\n');
}

if (require.main === module) process.stdout.write(authorizationValues());
