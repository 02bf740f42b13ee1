import { publisherOf, subjects } from './catalogue';
import { DEAD_LETTER_STREAM, EventNames, SESSION_STREAM, streamFamilies } from './streams';

/**
 * Who may do what on NATS: one user per service, the client's page cache and the operator tools,
 * each allowed only its own part of the bus. The subjects a service publishes come from the
 * catalogue (`publisherOf`); the rest is what JetStream's API needs for that service's own
 * streams and durable consumers. The Kubernetes NATS configuration, `npm start`'s nats-server and
 * the tests are all made from this table (`natsAuthorization`).
 */
export type StreamBase = (typeof streamFamilies)[number]['stream'];

/** The streams each service keeps a durable consumer on (named after the service), for its listeners. */
export const consumedStreams = {
  auth: [],
  posts: ['USERS'],
  comments: ['POSTS', 'COMMENTS'],
  moderation: ['COMMENTS'],
  query: ['USERS', 'POSTS', 'COMMENTS'],
} as const satisfies Record<string, readonly StreamBase[]>;

export type EventService = keyof typeof consumedStreams;
export const eventServices = Object.keys(consumedStreams) as EventService[];

/** The NATS users: the services, the client's page cache, and the operator tools (`postline-events`). */
export const natsUsers = [...eventServices, 'client', 'tools'] as const;
export type NatsUser = (typeof natsUsers)[number];

/** Where a user's requests get their replies: its own inbox prefix, so no one reads another's replies. */
export function inboxPrefix(user: string): string {
  return `_INBOX_${user}`;
}

export interface NatsPermissions {
  publish: { allow?: string[]; deny?: string[] };
  subscribe: { allow?: string[]; deny?: string[] };
}

/**
 * One user's permissions. Every service may create any stream and read its settings (whichever
 * starts first creates them all), publish its own subjects and its dead letters, and create, read
 * and pull from its own durable consumers and ack their messages. Only a stream's owner (the
 * publisher of its `<family>.created`) may change its settings (replicas, limits), so no other
 * service can shrink another's history; dead letters are every service's. Deleting streams or
 * messages is for the operator tools only.
 */
export function natsPermissions(user: NatsUser, names = new EventNames()): NatsPermissions {
  const api = '$JS.API';
  const inbox = `${inboxPrefix(user)}.>`;
  if (user === 'tools') return { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } };
  if (user === 'client') return { publish: { deny: ['>'] }, subscribe: { allow: [names.wire('changes.query.>')] } };

  const streams = names.allStreams().map((s) => s.name);
  const owned = [
    ...streamFamilies.filter((f) => publisherOf[`${f.family}.created` as keyof typeof publisherOf] === user),
    { stream: DEAD_LETTER_STREAM },
    ...(publisherOf['session.ended'] === user ? [{ stream: SESSION_STREAM }] : []),
  ].map((f) => names.stream(f.stream));
  const consumed = consumedStreams[user].map((s) => names.stream(s));
  const sessions = names.stream(SESSION_STREAM);
  const allow = [
    ...subjects.filter((s) => publisherOf[s] === user).map((s) => names.wire(s)),
    names.deadLetterSubject(user),
    `${api}.INFO`,
    ...streams.flatMap((s) => [`${api}.STREAM.INFO.${s}`, `${api}.STREAM.CREATE.${s}`]),
    ...owned.map((s) => `${api}.STREAM.UPDATE.${s}`),
    ...consumed.flatMap((s) => [
      `${api}.CONSUMER.CREATE.${s}.${user}`,
      `${api}.CONSUMER.CREATE.${s}.${user}.>`,
      `${api}.CONSUMER.DURABLE.CREATE.${s}.${user}`,
      `${api}.CONSUMER.INFO.${s}.${user}`,
      `${api}.CONSUMER.MSG.NEXT.${s}.${user}`,
      `$JS.ACK.${s}.${user}.>`,
    ]),
    // Every replica reads the ended sessions through an ordered consumer of its own (SessionEndings).
    `${api}.CONSUMER.CREATE.${sessions}.*`,
    `${api}.CONSUMER.CREATE.${sessions}.*.>`,
    `${api}.CONSUMER.MSG.NEXT.${sessions}.*`,
    `${api}.CONSUMER.INFO.${sessions}.*`,
    `${api}.CONSUMER.DELETE.${sessions}.*`,
  ];
  const subscribe = [inbox];
  if (user === 'query') {
    // Query's replay (at start and `rebuild`) reads the streams through ordered consumers of its own
    // naming, and recreates its durables past what it replayed; its change notices go to every replica.
    const others = eventServices.filter((s) => s !== 'query');
    allow.push(
      names.wire('changes.query.>'),
      ...consumed.flatMap((s) => [
        `${api}.CONSUMER.CREATE.${s}.*`,
        `${api}.CONSUMER.CREATE.${s}.*.>`,
        `${api}.CONSUMER.MSG.NEXT.${s}.*`,
        `${api}.CONSUMER.INFO.${s}.*`,
        `${api}.CONSUMER.DELETE.${s}.*`,
      ]),
    );
    subscribe.push(names.wire('changes.query.>'));
    const deny = consumed.flatMap((s) =>
      others.flatMap((other) =>
        ['CREATE', 'MSG.NEXT', 'INFO', 'DELETE'].flatMap((op) => [
          `${api}.CONSUMER.${op}.${s}.${other}`,
          ...(op === 'CREATE' ? [`${api}.CONSUMER.CREATE.${s}.${other}.>`] : []),
        ]),
      ),
    );
    return { publish: { allow, deny }, subscribe: { allow: subscribe } };
  }
  return { publish: { allow }, subscribe: { allow: subscribe } };
}

/**
 * nats-server's `authorization` block for every user, each password the environment variable
 * `natsPasswordVariable(user)` as written there (`$AUTH_NATS_PASSWORD`): the server reads them from
 * its environment, so the configuration holds no secret.
 */
export function natsAuthorization(names = new EventNames()) {
  return {
    users: natsUsers.map((user) => ({
      user,
      password: `$${natsPasswordVariable(user)}`,
      permissions: natsPermissions(user, names),
    })),
  };
}

/** The `authorization` block as nats-server configuration text (JSON, variables unquoted). */
export function natsAuthorizationConfig(names = new EventNames()): string {
  const text = JSON.stringify({ authorization: natsAuthorization(names) }, null, 2);
  return `${text.slice(1, -1).trim()}\n`.replace(/"(\$[A-Z_]+)"/g, '$1');
}

/** The environment variable the NATS server reads a user's password from (`AUTH_NATS_PASSWORD`). */
export function natsPasswordVariable(user: NatsUser): string {
  return `${user.toUpperCase()}_NATS_PASSWORD`;
}
