import { EventFactory } from '@postline/common/testing';
import type { StoredUser } from '../../data-access/read-models';
import { changeLabel } from '../change-labels';
import { projectUser, userLabels } from './users';

const applied = (p: ReturnType<typeof projectUser>) => {
  if (p.outcome !== 'apply') throw new Error(`expected apply, got ${p.outcome}`);
  return p;
};

describe('the users projection', () => {
  const events = new EventFactory();
  const created = events.userCreated({ username: 'ann' });
  const ann = applied(projectUser(undefined, created)).after;

  it('creates a profile with no follows, and recounts the new user (follows may come first)', () => {
    const p = applied(projectUser(undefined, created));
    expect(p.after).toMatchObject({
      _id: created.data.id,
      username: 'ann',
      following: [],
      followerCount: 0,
      version: 0,
    });
    expect(p.effects.followerCounts).toEqual([created.data.id]);
  });

  it('keeps follows on the follower, once each, and names the followee to recount', () => {
    const follow = events.followed(ann._id, 'bob');
    const followed = applied(projectUser(ann, follow));
    expect(followed.after.following).toEqual(['bob']);
    expect(followed.effects.followerCounts).toEqual(['bob']);
    const again = applied(projectUser(followed.after, events.followed(ann._id, 'bob')));
    expect(again.after.following).toEqual(['bob']);
    const unfollowed = applied(projectUser(again.after, events.unfollowed(ann._id, 'bob')));
    expect(unfollowed.after).toMatchObject({ following: [], version: 3 });
    expect(userLabels(follow)).toEqual([
      changeLabel.viewer(ann._id),
      changeLabel.profile(ann._id),
      changeLabel.profile('bob'),
    ]);
  });

  it('skips a duplicate and waits for a missing version or a user not known yet', () => {
    const f = new EventFactory();
    const user = f.userCreated();
    const stored: StoredUser = applied(projectUser(undefined, user)).after;
    expect(projectUser(stored, user)).toEqual({ outcome: 'skip' });
    expect(projectUser(stored, f.at(2).followed(user.data.id, 'x')).outcome).toBe('wait');
    expect(projectUser(undefined, f.at(1).followed(user.data.id, 'x')).outcome).toBe('wait');
    expect(projectUser({ ...stored, version: 3 }, f.at(2).followed(user.data.id, 'x'))).toEqual({ outcome: 'skip' });
  });
});
