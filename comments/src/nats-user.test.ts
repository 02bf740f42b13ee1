import { EventBus } from '@postline/common';
import {
  bearerFor,
  eventually,
  startNatsWithUsers,
  testUser,
  uniqueNamespace,
  type NatsWithUsers,
} from '@postline/common/testing';
import { pino } from 'pino';
import { factory, postAuthor } from './testing/fixtures';
import { startComments, type CommentsUnderTest } from './testing/start-comments';

// The comments service as it runs on Kubernetes: connected as its own NATS user to a server that
// admits only the permission table's users. Its whole run works (streams, its consumers on POSTS
// and COMMENTS, the outbox's publishes, acks), and it cannot speak for moderation.

jest.setTimeout(60_000);

const namespace = uniqueNamespace();
let nats: NatsWithUsers;
let app: CommentsUnderTest;
const buses: EventBus[] = [];

beforeAll(async () => {
  nats = await startNatsWithUsers(namespace);
  const { user, password } = nats.credentials('comments');
  app = await startComments(
    namespace,
    { NATS_URL: nats.url, NATS_USER: user, NATS_PASSWORD: password },
    nats.credentials('tools'),
  );
});

afterAll(async () => {
  await Promise.all(buses.map((bus) => bus.close()));
  await app?.stop();
  await nats?.dispose();
});

async function busAs(user: 'posts' | 'moderation'): Promise<EventBus> {
  const bus = await EventBus.connect({
    url: nats.url,
    name: user,
    namespace,
    logger: pino({ level: 'silent' }),
    ...nats.credentials(user),
  });
  buses.push(bus);
  return bus;
}

it('consumes posts and decisions, publishes its comments, and acks everything, as its own user', async () => {
  const posts = await busAs('posts');
  const moderation = await busAs('moderation');
  const post = factory.postCreated(postAuthor());
  await posts.publish(post);
  await eventually(async () => (await app.posts.exists({ _id: post.data.id })) !== null, 10_000, 'post replicated');

  const res = await app.http
    .post('/api/comments')
    .set('Authorization', bearerFor(testUser()))
    .send({ postId: post.data.id, body: 'Hello' });
  expect(res.status).toBe(201);
  const created = await eventually(
    () => app.events.events.find((e) => e.subject === 'comment.created' && e.aggregateId === res.body.id),
    10_000,
    'comment.created on the stream',
  );

  await moderation.publish(factory.moderated({ id: created.aggregateId, postId: post.data.id }, 0, 'approved'));
  await eventually(
    async () => (await app.comments.findById(res.body.id))?.status === 'approved',
    10_000,
    'the decision applied',
  );
  await app.untilSettled();

  // Its own connection may not publish moderation's subject.
  const forged = factory.moderated({ id: created.aggregateId, postId: post.data.id }, 0, 'rejected');
  await expect(app.service.context.bus.publish(forged)).rejects.toThrow(/permissions violation/i);
});
