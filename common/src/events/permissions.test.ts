import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { EndedSessions, SessionEndings } from '../auth';
import {
  EventFactory,
  eventually,
  startNatsWithUsers,
  uniqueNamespace,
  type LocalServer,
  type NatsWithUsers,
} from '../testing';
import {
  EventBus,
  EventListener,
  EventNames,
  consumedStreams,
  eventServices,
  publisherOf,
  subjects,
  newEvent,
  type AnyEventEnvelope,
  type EventEnvelope,
  type EventService,
  type NatsUser,
  type Subject,
} from '.';

// The permission table (permissions.ts) as nats-server enforces it: a real server started with the
// authorization block made from it, passwords from its environment as on Kubernetes.

jest.setTimeout(60_000);

const namespace = uniqueNamespace('perm');
const names = new EventNames(namespace);
const logger = pino({ level: 'silent' });
let nats: NatsWithUsers;
let server: LocalServer;
const buses: EventBus[] = [];

beforeAll(async () => {
  nats = await startNatsWithUsers(namespace);
  server = nats.server;
});

afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await nats?.dispose();
});

const passwordOf = (user: NatsUser) => nats.credentials(user).password;

async function busAs(user: NatsUser, password = passwordOf(user)): Promise<EventBus> {
  const bus = await EventBus.connect({ url: server.url, name: user, namespace, logger, user, password });
  buses.push(bus);
  return bus;
}

const serverLog = () => readFileSync(join(server.dataDir, 'nats.log'), 'utf8');
const factory = new EventFactory();
const author = { id: 'a1', username: 'author' };
const post = factory.postCreated(author);
const comment = factory.commentCreated(post.data.id, author);

it('refuses a connection without a user or with a wrong password', async () => {
  await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(/authorization/i);
  await expect(busAs('comments', 'wrong')).rejects.toThrow(/authorization/i);
});

it('gives every subject of the catalogue exactly one publisher, a service with a user', () => {
  for (const subject of subjects) expect(eventServices).toContain(publisherOf[subject]);
});

it.each(eventServices)(
  'lets %s run as it does: create the streams, publish its subjects, consume and ack',
  async (user) => {
    const bus = await busAs(user);
    const own = subjects.filter((s) => publisherOf[s] === user);
    for (const subject of own) {
      await expect(bus.publish(eventOn(subject))).resolves.toMatchObject({
        stream: bus.names.streamOf(subject),
      });
    }
    // Every replica hears every ended session, through an ordered consumer of its own.
    const ended = new EndedSessions();
    const endings = new SessionEndings(bus, ended, logger);
    await endings.start();
    const ending = eventOn('session.ended') as EventEnvelope<'session.ended'>;
    await (user === 'auth' ? bus : await busAs('auth')).publish(ending);
    await eventually(() => ended.has(ending.data.id), 10_000, `${user} heard of the ended session`);
    await endings.stop();

    const streams = consumedStreams[user as EventService];
    if (streams.length === 0) return;
    // The listener's whole cycle on each consumed stream: its durable made, messages pulled and acked.
    const publishers = await Promise.all(
      streams.map(async (stream) => {
        const subject = subjects.find((s) => names.streamOf(s) === names.stream(stream))!;
        return { subject, bus: await busAs(publisherOf[subject]) };
      }),
    );
    const seen: string[] = [];
    const listener = new EventListener(bus, { service: user, logger });
    for (const { subject } of publishers) listener.on(subject, async (event) => void seen.push(event.id));
    await listener.start();
    const sent: string[] = [];
    for (const { subject, bus: publisher } of publishers) {
      const event = eventOn(subject);
      sent.push(event.id);
      await publisher.publish(event);
    }
    await eventually(() => sent.every((id) => seen.includes(id)), 15_000, `${user} handled what it consumes`);
    for (const { stream } of listener.consumerNames()) {
      await eventually(
        async () => (await bus.jsm.consumers.info(stream, user)).num_ack_pending === 0,
        10_000,
        `${user} acked on ${stream}`,
      );
    }
    await listener.stop();
  },
);

it("refuses comments' user moderation's subject, other services' consumers and the streams' settings", async () => {
  const comments = await busAs('comments');
  const moderation = await busAs('moderation');
  const tools = await busAs('tools');
  const commentsStream = names.stream('COMMENTS');
  const before = (await tools.jsm.streams.info(commentsStream)).state.messages;

  const verdict = factory.moderated(comment.data, 0, 'approved', 'fine');
  await expect(comments.publish(verdict)).rejects.toThrow(/permissions violation/i);
  // What moderation itself may do.
  await expect(moderation.publish(verdict)).resolves.toMatchObject({ stream: commentsStream });
  expect((await tools.jsm.streams.info(commentsStream)).state.messages).toBe(before + 1);

  // Moderation's durable on COMMENTS: comments can neither read it nor pull its messages.
  const listener = new EventListener(moderation, { service: 'moderation', logger });
  await listener.on('comment.created', async () => undefined).start();
  await listener.stop();
  await expect(comments.jsm.consumers.info(commentsStream, 'moderation')).rejects.toThrow(/permissions violation/i);
  await expect(
    comments.connection.request(`$JS.API.CONSUMER.MSG.NEXT.${commentsStream}.moderation`, '{"batch":1}'),
  ).rejects.toThrow(/permissions violation/i);
  // Nor shrink another service's history: only the stream's owner changes its settings.
  await expect(comments.jsm.streams.update(names.stream('USERS'), { max_msgs: 1 })).rejects.toThrow(
    /permissions violation/i,
  );
  await expect(comments.jsm.streams.delete(commentsStream)).rejects.toThrow(/permissions violation/i);
  // Nor listen in on the events, or on another user's replies.
  const spy = await connect({ servers: server.url, user: 'comments', pass: passwordOf('comments') });
  const denied = new Promise<string>((resolve) => {
    void (async () => {
      for await (const status of spy.status()) if (status.type === 'error') resolve(String(status.error));
    })();
  });
  spy.subscribe(names.wire('user.>'));
  await expect(denied).resolves.toMatch(/permissions violation for subscription/i);
  await spy.close();
  expect(serverLog()).toMatch(/Publish Violation|Permissions Violation/i);
});

it("lets the client's user hear the change notices and nothing else", async () => {
  const query = await busAs('query');
  const client = await connect({ servers: server.url, user: 'client', pass: passwordOf('client') });
  const heard: string[] = [];
  client.subscribe(names.wire('changes.query.>'), { callback: (_err, msg) => void heard.push(msg.subject) });
  await client.flush();
  query.connection.publish(names.wire('changes.query.posts'), JSON.stringify({ labels: ['x'] }));
  await eventually(() => heard.length === 1, 5_000, 'notice heard');
  const errors: string[] = [];
  void (async () => {
    for await (const status of client.status()) if (status.type === 'error') errors.push(String(status.error));
  })();
  client.publish(names.wire('changes.query.posts'), '{}');
  client.publish(names.wire('post.created'), '{}');
  await eventually(() => errors.length === 2, 5_000, 'both publishes refused');
  expect(heard).toEqual([names.wire('changes.query.posts')]);
  await client.close();
});

/** An event on the subject with a payload valid for it (the catalogue validates it on publish). */
function eventOn(subject: Subject): AnyEventEnvelope {
  return newEvent(subject, {
    producer: 'test',
    aggregateId: randomUUID(),
    version: 0,
    data: sample(subject) as never,
  }) as AnyEventEnvelope;
}

function sample(subject: Subject): unknown {
  const profile = { id: 'u1', username: 'name', role: 'user', bio: '', image: '' };
  const follow = { followerId: 'u1', followeeId: 'u2' };
  const like = { postId: post.data.id, userId: 'u1', likeCount: 1 };
  const byFamily: Record<string, unknown> = {
    'user.created': profile,
    'user.updated': profile,
    'user.followed': follow,
    'user.unfollowed': follow,
    'post.created': post.data,
    'post.updated': post.data,
    'post.deleted': { id: post.data.id, authorId: author.id },
    'post.liked': like,
    'post.unliked': like,
    'comment.created': comment.data,
    'comment.updated': comment.data,
    'comment.deleted': { id: comment.data.id, postId: post.data.id },
    'comment.moderated': factory.moderated(comment.data, 0, 'approved', 'fine').data,
    'session.ended': { id: randomUUID(), userId: 'u1', expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
  };
  return byFamily[subject];
}
