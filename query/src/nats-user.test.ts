import { EventBus } from '@postline/common';
import {
  EventFactory,
  eventually,
  startNatsWithUsers,
  uniqueNamespace,
  type NatsWithUsers,
} from '@postline/common/testing';
import { pino } from 'pino';
import { startQuery, type QueryUnderTest } from './testing/start-query';

// The query service as it runs on Kubernetes, as its own NATS user against a server that admits
// only the permission table's users: its replay at start (consumers of its own naming, its durables
// recreated past what it replayed), its live consumers and its change notices all work.

jest.setTimeout(90_000);

const namespace = uniqueNamespace();
let nats: NatsWithUsers;
const running: QueryUnderTest[] = [];
const buses: EventBus[] = [];

beforeAll(async () => (nats = await startNatsWithUsers(namespace)));
afterAll(async () => {
  await Promise.all(running.map((q) => q.stop()));
  await Promise.all(buses.map((bus) => bus.close()));
  await nats?.dispose();
});

async function busAs(user: 'auth' | 'posts'): Promise<EventBus> {
  const logger = pino({ level: 'silent' });
  const bus = await EventBus.connect({ url: nats.url, name: user, namespace, logger, ...nats.credentials(user) });
  buses.push(bus);
  return bus;
}

async function queryAs(database: string): Promise<QueryUnderTest> {
  const { user, password } = nats.credentials('query');
  const query = await startQuery({
    namespace,
    database,
    env: { NATS_URL: nats.url, NATS_USER: user, NATS_PASSWORD: password },
  });
  running.push(query);
  return query;
}

it('replays the history into a new database and follows new events, as its own user', async () => {
  const auth = new EventFactory(await busAs('auth'));
  const posts = new EventFactory(await busAs('posts'));
  const author = auth.userCreated();
  await auth.publish(author);
  const before = posts.postCreated({ id: author.data.id, username: author.data.username });
  await posts.publish(before);

  const first = await queryAs(`${namespace}-query-a`);
  await eventually(
    async () => (await first.models.posts.findOne({ _id: before.data.id })) !== null,
    20_000,
    'replayed',
  );
  const after = posts.postCreated({ id: author.data.id, username: author.data.username });
  await posts.publish(after);
  await eventually(async () => (await first.models.posts.findOne({ _id: after.data.id })) !== null, 20_000, 'followed');
  // Its change notice went out and came back (publish and subscribe on changes.query.>).
  await eventually(() => first.parts.notices.received.some((n) => n.fromSelf), 10_000, 'change notice heard');

  // A fresh database: the whole history replayed again through the query user's own consumers.
  await first.stop();
  running.splice(running.indexOf(first), 1);
  const second = await queryAs(`${namespace}-query-b`);
  await eventually(async () => (await second.models.posts.countDocuments({})) === 2, 20_000, 'rebuilt');
});
