import { BadRequestError, NotFoundError } from '@postline/common';
import type { UserRepository } from '../data-access/user-repository';
import { canFollow, follow, profileEdit, unfollow } from './user-changes';
import type { UserProfile } from '@postline/common';

/** Public profiles and the follow graph. */
export class Profiles {
  constructor(private readonly users: UserRepository) {}

  async get(username: string, viewerId?: string): Promise<UserProfile> {
    const user = await this.users.findByUsername(username);
    if (!user) throw new NotFoundError('User not found');
    const viewer = viewerId ? await this.users.findById(viewerId) : null;
    return {
      id: user._id,
      username: user.username,
      role: user.role,
      bio: user.bio,
      image: user.image,
      followerCount: await this.users.countFollowers(user._id),
      followingCount: user.following.length,
      followedByMe: viewer?.following.includes(user._id) ?? false,
      createdAt: user.createdAt.toISOString(),
    };
  }

  async update(userId: string, changes: { bio?: string; image?: string }): Promise<void> {
    const updated = await this.users.change(userId, (user) => profileEdit(user, changes));
    if (!updated) throw new NotFoundError('User not found');
  }

  async follow(followerId: string, username: string): Promise<UserProfile> {
    const followee = await this.users.findByUsername(username);
    if (!followee) throw new NotFoundError('User not found');
    if (!canFollow(followerId, followee._id)) throw new BadRequestError('You cannot follow yourself');
    if (!(await this.users.change(followerId, (follower) => follow(follower, followee._id))))
      throw new NotFoundError('Your account no longer exists');
    return this.get(username, followerId);
  }

  async unfollow(followerId: string, username: string): Promise<UserProfile> {
    const followee = await this.users.findByUsername(username);
    if (!followee) throw new NotFoundError('User not found');
    if (!(await this.users.change(followerId, (follower) => unfollow(follower, followee._id))))
      throw new NotFoundError('Your account no longer exists');
    return this.get(username, followerId);
  }
}
