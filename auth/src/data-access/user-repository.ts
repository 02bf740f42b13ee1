import type { Connection, Model } from 'mongoose';
import { OutboxWriter, isDuplicateKeyError, type OutboxRelay } from '@postline/common';
import type { NewUserRecord, UserChange, UserEvent } from '../domain/user-changes';
import { userModel, type User } from './user-model';

/**
 * Stores and loads users (plain objects). Every change is written together
 * with the event announcing it (OutboxWriter), guarded by the version; what
 * changes is decided by the domain (`domain/user-changes.ts`).
 */
export class UserRepository {
  readonly model: Model<User>;
  private readonly writer: OutboxWriter<User>;

  constructor(db: Connection, relay: OutboxRelay) {
    this.model = userModel(db);
    this.writer = new OutboxWriter(this.model, 'auth', relay);
  }

  /** @returns null if the email or username (unique indexes) was taken meanwhile */
  async insert(user: NewUserRecord, event: UserEvent & { subject: 'user.created' }): Promise<User | null> {
    try {
      return (await this.writer.create(user, { subject: event.subject, data: () => event.data })).toObject();
    } catch (err) {
      if (isDuplicateKeyError(err)) return null;
      throw err;
    }
  }

  async findById(id: string): Promise<User | null> {
    return (await this.model.findById(id))?.toObject() ?? null;
  }

  async findByEmail(email: string): Promise<User | null> {
    return (await this.model.findOne({ email }))?.toObject() ?? null;
  }

  async findByUsername(username: string): Promise<User | null> {
    return (await this.model.findOne({ username }))?.toObject() ?? null;
  }

  /**
   * A version-guarded change: `plan` sees the user as they are at the moment of
   * writing (re-read and re-planned if someone wrote in between).
   * @returns the user after it and whether this call wrote it, or null if there is no such user
   */
  async change(
    id: string,
    plan: (user: User) => UserChange | undefined,
  ): Promise<{ user: User; changed: boolean } | null> {
    const result = await this.writer.change(id, (current) => {
      const planned = plan(current.toObject());
      if (!planned) return undefined;
      const { set, follow, event } = planned;
      const follows = !follow
        ? {}
        : 'add' in follow
          ? { $addToSet: { following: follow.add } }
          : { $pull: { following: follow.remove } };
      return { update: { ...(set ? { $set: set } : {}), ...follows }, event };
    });
    return result && { user: result.doc.toObject(), changed: result.changed };
  }

  countFollowers(userId: string): Promise<number> {
    return this.model.countDocuments({ following: userId });
  }
}
