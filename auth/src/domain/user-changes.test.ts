import type { User } from '../data-access/user-model';
import { canFollow, follow, newUser, profileEdit, unfollow } from './user-changes';

const created = new Date('2030-01-01T10:00:00Z');

function user(overrides: Partial<User> = {}): User {
  const fresh = newUser(
    { email: 'ann@example.com', username: 'ann', passwordHash: 'hash', role: 'user' },
    'ann-id',
    created,
  );
  return { ...fresh, version: 0, outbox: [], ...overrides };
}

describe('user changes', () => {
  it('starts an account with no bio, no image, following nobody', () => {
    expect(user()).toMatchObject({ bio: '', image: '', following: [], createdAt: created });
  });

  it('edits the profile, announcing only its public face', () => {
    const change = profileEdit(user(), { bio: 'Hi' });
    expect(change).toEqual({
      set: { bio: 'Hi', image: '' },
      event: { subject: 'user.updated', data: { id: 'ann-id', username: 'ann', role: 'user', bio: 'Hi', image: '' } },
    });
    expect(profileEdit(user({ bio: 'Hi' }), { bio: 'Hi' })).toBeUndefined();
    expect(profileEdit(user(), {})).toBeUndefined();
  });

  it('follows once: following twice and unfollowing someone not followed change nothing', () => {
    expect(follow(user(), 'bob-id')).toEqual({
      addTo: { following: 'bob-id' },
      event: { subject: 'user.followed', data: { followerId: 'ann-id', followeeId: 'bob-id' } },
    });
    const following = user({ following: ['bob-id'] });
    expect(follow(following, 'bob-id')).toBeUndefined();
    expect(unfollow(user(), 'bob-id')).toBeUndefined();
    expect(unfollow(following, 'bob-id')).toEqual({
      pullFrom: { following: 'bob-id' },
      event: { subject: 'user.unfollowed', data: { followerId: 'ann-id', followeeId: 'bob-id' } },
    });
  });

  it('lets nobody follow themselves', () => {
    expect(canFollow('ann-id', 'ann-id')).toBe(false);
    expect(canFollow('ann-id', 'bob-id')).toBe(true);
  });
});
