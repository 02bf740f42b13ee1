import { eventually } from '@postline/common/testing';
import { deadLettersOf, publishRaw } from '../../testing/poison-messages';
import { listenerHarness, type ListenerHarness } from '../../testing/listener-harness';

let h: ListenerHarness;
beforeAll(async () => {
  h = await listenerHarness();
});
afterAll(async () => {
  await h.close();
});

describe('user.* listeners', () => {
  it('build the profile and the follow graph', async () => {
    const ann = h.events.userCreated({ username: 'ann_profile' });
    const bob = h.events.userCreated({ username: 'bob_profile' });
    await h.events.publish(ann, bob, h.events.followed(ann.data.id, bob.data.id));
    await h.events.publish(h.events.userUpdated({ ...ann.data, bio: 'hello', image: 'https://img.test/a.png' }));
    const user = await eventually(async () => {
      const doc = await h.query.models.users.findOne({ _id: ann.data.id });
      return doc?.version === 2 ? doc : undefined;
    });
    expect(user).toMatchObject({
      username: 'ann_profile',
      bio: 'hello',
      image: 'https://img.test/a.png',
      following: [bob.data.id],
    });
  });

  it('ignore duplicates, even of an older version after a newer one (no double effect)', async () => {
    const ann = h.events.userCreated();
    const bob = h.events.userCreated();
    const follow = h.events.followed(ann.data.id, bob.data.id);
    const unfollow = h.events.unfollowed(ann.data.id, bob.data.id);
    await h.events.publish(ann, bob, follow, unfollow);
    await eventually(async () => (await h.query.models.users.findOne({ _id: ann.data.id }))?.version === 2);
    await h.redeliver(follow);
    await h.redeliver(ann);
    await h.untilSettled();
    expect(await h.query.models.users.findOne({ _id: ann.data.id })).toMatchObject({ version: 2, following: [] });
    expect(await h.query.models.users.countDocuments({ _id: ann.data.id })).toBe(1);
  });

  it('never apply out of order, and converge once the missing event arrives', async () => {
    const ann = h.events.userCreated();
    const bob = h.events.userCreated();
    const follow = h.events.followed(ann.data.id, bob.data.id); // v1
    const unfollow = h.events.unfollowed(ann.data.id, bob.data.id); // v2
    const followAgain = h.events.followed(ann.data.id, bob.data.id); // v3
    await h.events.publish(bob);
    await h.publishOutOfOrder(followAgain); // v3, then v2, before v0 and v1: both held
    await h.publishOutOfOrder(unfollow);
    expect(await h.query.models.users.findOne({ _id: ann.data.id })).toBeNull();
    await h.events.publish(ann);
    // v0 applied; v2 and v3 still wait for v1
    await eventually(() => h.query.models.users.findOne({ _id: ann.data.id }));
    expect(await h.query.models.users.findOne({ _id: ann.data.id })).toMatchObject({ version: 0, following: [] });
    await h.events.publish(follow);
    const final = await eventually(async () => {
      const doc = await h.query.models.users.findOne({ _id: ann.data.id });
      return doc?.version === 3 ? doc : undefined;
    });
    expect(final.following).toEqual([bob.data.id]);
  });

  it('dead-letter a poison message and go on with the next one', async () => {
    await publishRaw(h.bus, 'user.created', { id: 'not-a-uuid', subject: 'user.created', data: {} });
    await publishRaw(h.bus, 'user.updated', '{not json');
    const next = h.events.userCreated();
    await h.events.publish(next);
    await eventually(() => h.query.models.users.findOne({ _id: next.data.id }));
    const letters = await eventually(async () => {
      const found = await deadLettersOf(h.bus);
      return found.filter((l) => l.subject.startsWith('user.')).length >= 2 ? found : undefined;
    });
    expect(letters.map((l) => l.reason).join('\n')).toMatch(/invalid event/);
  });
});
