import { randomUUID } from 'node:crypto';
import { bearerFor, EventFactory, eventually, newId, testUser } from '@postline/common/testing';
import { startPosts, type PostsUnderTest } from '../../testing/start-posts';

let posts: PostsUnderTest;

beforeAll(async () => {
  // Retries 50, 100, 200, 400, 800 ms apart: time enough for a late event to
  // fill a gap, short enough to see a stuck one dead-lettered.
  posts = await startPosts({ overrides: { EVENT_MAX_DELIVERIES: '6' } });
});

afterAll(async () => {
  await posts.stop();
});

const newUserId = newId;
const factory = new EventFactory();

const created = (userId: string, username: string) =>
  factory.at(0).userCreated({ id: userId, username, bio: 'bio v0' });
const updated = (userId: string, version: number, username: string) =>
  factory.at(version).userUpdated({ id: userId, username, role: 'user', bio: `bio v${version}`, image: '' });
const followed = (userId: string, version: number) => factory.at(version).followed(userId, newId());

const replicaOf = (userId: string) => posts.authors.findById(userId).lean();

async function replicaReaches(userId: string, version: number) {
  return eventually(
    async () => {
      const author = await replicaOf(userId);
      return author?.version === version && author;
    },
    5_000,
    `author ${userId} at version ${version}`,
  );
}

describe('the author replica (user.* listener)', () => {
  it('builds authors from user.created and user.updated, and names them in post events', async () => {
    const userId = newUserId();
    await posts.bus.publish(created(userId, 'replica_name'));
    await replicaReaches(userId, 0);

    // The token says otherwise (a stale session, say): the replica wins.
    const token = bearerFor(testUser({ id: userId, username: 'token_name' }));
    const res = await posts.http
      .post('/api/posts')
      .set('Authorization', token)
      .send({ title: 'By a known author', body: 'x' })
      .expect(201);
    expect(res.body.authorUsername).toBe('replica_name');
    const event = await posts.events.waitFor('post.created', (e) => e.aggregateId === res.body.id);
    expect(event.data.authorUsername).toBe('replica_name');

    await posts.bus.publish(updated(userId, 1, 'renamed'));
    await replicaReaches(userId, 1);
    await posts.http.put(`/api/posts/${res.body.id}`).set('Authorization', token).send({ body: 'edited' }).expect(200);
    const edit = await posts.events.waitFor('post.updated', (e) => e.aggregateId === res.body.id);
    expect(edit.data.authorUsername).toBe('renamed');
  });

  it('uses the token’s username for an author the replica does not know yet', async () => {
    const newcomer = testUser({ username: 'brand_new' });
    const res = await posts.http
      .post('/api/posts')
      .set('Authorization', bearerFor(newcomer))
      .send({ title: 'First post', body: 'x' })
      .expect(201);
    expect(res.body.authorUsername).toBe('brand_new');
    const event = await posts.events.waitFor('post.created', (e) => e.aggregateId === res.body.id);
    expect(event.data).toMatchObject({ authorId: newcomer.id, authorUsername: 'brand_new' });
  });

  it('ignores a duplicate delivery: no double effect', async () => {
    const userId = newUserId();
    const first = created(userId, 'original');
    await posts.bus.publish(first);
    await posts.bus.publish(updated(userId, 1, 'changed'));
    await replicaReaches(userId, 1);
    // The same event redelivered under a new message id (past JetStream's
    // duplicate window): applying it again would undo the rename.
    await posts.bus.publish({ ...first, id: randomUUID() });
    await posts.untilSettled(); // the duplicate handled
    expect(await replicaOf(userId)).toMatchObject({ username: 'changed', version: 1 });
  });

  it('never applies out of order, and converges once the missing event arrives', async () => {
    const userId = newUserId();
    await posts.bus.publish(created(userId, 'v0'));
    await replicaReaches(userId, 0);

    await posts.publishOutOfOrder(updated(userId, 2, 'v2')); // version 1 is still on its way
    expect(await replicaOf(userId)).toMatchObject({ username: 'v0', version: 0 });

    await posts.bus.publish(updated(userId, 1, 'v1'));
    const author = await replicaReaches(userId, 2);
    expect(author.username).toBe('v2');
    expect((await posts.deadLetters()).filter((l) => l.payload.includes(userId))).toEqual([]);
  });

  it('counts follows in the user’s version, so the update after a follow is not a gap', async () => {
    const userId = newUserId();
    await posts.bus.publish(created(userId, 'follower'));
    await posts.bus.publish(followed(userId, 1));
    await posts.bus.publish(updated(userId, 2, 'follower_renamed'));
    expect((await replicaReaches(userId, 2)).username).toBe('follower_renamed');
  });

  it('dead-letters a poison message at once and goes on with the next one', async () => {
    const userId = newUserId();
    const poison = { ...created(userId, 'poison'), data: { id: userId } }; // no username, role...
    await posts.bus.js.publish(posts.bus.names.wire('user.created'), JSON.stringify(poison));
    const next = newUserId();
    await posts.bus.publish(created(next, 'after_poison'));

    await replicaReaches(next, 0);
    const letter = await eventually(
      async () => (await posts.deadLetters()).find((l) => l.payload.includes(userId)),
      5_000,
      'dead letter',
    );
    expect(letter).toMatchObject({ service: 'posts', subject: 'user.created', deliveries: 1 });
    expect(letter.reason).toMatch(/invalid event: data\.username/);
    expect(await replicaOf(userId)).toBeNull();
  });

  it('dead-letters an event whose gap never fills after the bounded attempts, and goes on', async () => {
    const orphan = newUserId();
    await posts.bus.publish(updated(orphan, 3, 'never_created'));
    const next = newUserId();
    await posts.bus.publish(created(next, 'still_served'));
    await replicaReaches(next, 0);

    const letter = await eventually(
      async () => (await posts.deadLetters()).find((l) => l.payload.includes(orphan)),
      10_000,
      'dead letter',
    );
    expect(letter).toMatchObject({ service: 'posts', subject: 'user.updated', deliveries: 6 });
    expect(letter.reason).toMatch(/must wait for 0/);
    expect(await replicaOf(orphan)).toBeNull();
  });
});
