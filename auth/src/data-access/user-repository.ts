import { Types, type Connection, type Model } from 'mongoose';
import { ConflictError, OutboxWriter, isDuplicateKeyError, type OutboxRelay } from '@postline/common';
import { userProfileData } from '../events/user-events';
import { userModel, type User, type UserDocument } from './user-model';

export interface NewUser {
  email: string;
  username: string;
  passwordHash: string;
  role: User['role'];
}

/** Users and follows; every change is written together with the event announcing it. */
export class UserRepository {
  readonly model: Model<User>;
  private readonly writer: OutboxWriter<User>;

  constructor(db: Connection, relay: OutboxRelay) {
    this.model = userModel(db);
    this.writer = new OutboxWriter(this.model, 'auth', relay);
  }

  async create(user: NewUser): Promise<UserDocument> {
    try {
      return await this.writer.create(
        { _id: new Types.ObjectId().toHexString(), ...user, bio: '', image: '', following: [], createdAt: new Date() },
        { subject: 'user.created', data: userProfileData },
      );
    } catch (err) {
      throw (await this.asConflict(err, user)) ?? err;
    }
  }

  findById(id: string): Promise<UserDocument | null> {
    return this.model.findById(id);
  }

  findByEmail(email: string): Promise<UserDocument | null> {
    return this.model.findOne({ email });
  }

  findByUsername(username: string): Promise<UserDocument | null> {
    return this.model.findOne({ username });
  }

  async updateProfile(id: string, changes: Partial<Pick<User, 'bio' | 'image'>>): Promise<UserDocument | null> {
    const result = await this.writer.change(id, (user) => {
      const next = { bio: changes.bio ?? user.bio, image: changes.image ?? user.image };
      if (next.bio === user.bio && next.image === user.image) return undefined;
      return {
        update: { $set: next },
        event: { subject: 'user.updated', data: userProfileData({ ...user.toObject(), ...next }) },
      };
    });
    return result?.doc ?? null;
  }

  /** @returns false if the follower does not exist */
  async follow(followerId: string, followeeId: string): Promise<boolean> {
    const result = await this.writer.change(followerId, (follower) =>
      follower.following.includes(followeeId)
        ? undefined // following twice is harmless: no change, no event
        : {
            update: { $addToSet: { following: followeeId } },
            event: { subject: 'user.followed', data: { followerId, followeeId } },
          },
    );
    return result !== null;
  }

  async unfollow(followerId: string, followeeId: string): Promise<boolean> {
    const result = await this.writer.change(followerId, (follower) =>
      follower.following.includes(followeeId)
        ? {
            update: { $pull: { following: followeeId } },
            event: { subject: 'user.unfollowed', data: { followerId, followeeId } },
          }
        : undefined,
    );
    return result !== null;
  }

  countFollowers(userId: string): Promise<number> {
    return this.model.countDocuments({ following: userId });
  }

  /** Which unique field a duplicate-key error was about, as a 409 naming it. */
  private async asConflict(err: unknown, user: NewUser): Promise<ConflictError | undefined> {
    if (!isDuplicateKeyError(err)) return undefined;
    if (await this.model.exists({ email: user.email }))
      return new ConflictError('Email is already registered', 'email');
    return new ConflictError('Username is taken', 'username');
  }
}
