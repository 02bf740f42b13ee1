import type { Connection, Model } from 'mongoose';
import { OutboxWriter, type OutboxFields, type OutboxRelay, type SubjectEvent } from '@postline/common';
import type { UserChange } from '../domain/user-changes';
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
  insert(user: Omit<User, keyof OutboxFields>, event: SubjectEvent<'user.created'>): Promise<User | null> {
    return this.writer.insert(user, event);
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
   * @returns the user after it (`doc`) and whether this call wrote it, or null if there is no such user
   */
  change(id: string, plan: (user: User) => UserChange | undefined): Promise<{ doc: User; changed: boolean } | null> {
    return this.writer.changePlain(id, plan);
  }

  /**
   * Replaces a password hash if it is still `from` (a rehash or a password change; no event: the
   * hash is in none).
   * @returns whether it was still `from`
   */
  async replacePasswordHash(id: string, from: string, to: string): Promise<boolean> {
    const result = await this.model.updateOne({ _id: id, passwordHash: from }, { $set: { passwordHash: to } });
    return result.modifiedCount === 1;
  }

  /** Ids of the users whose stored role is not what the moderator list says (a full scan: once per start). */
  async idsWithRoleOtherThan(moderatorEmails: string[]): Promise<string[]> {
    const found = await this.model
      .find(
        {
          $or: [
            { email: { $in: moderatorEmails }, role: { $ne: 'moderator' } },
            { email: { $nin: moderatorEmails }, role: 'moderator' },
          ],
        },
        { _id: 1 },
      )
      .lean();
    return found.map((u) => u._id);
  }

  countFollowers(userId: string): Promise<number> {
    return this.model.countDocuments({ following: userId });
  }
}
