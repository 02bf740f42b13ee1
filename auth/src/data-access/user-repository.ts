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

  /** @returns null if the username (unique index) was taken meanwhile */
  insert(user: Omit<User, keyof OutboxFields>, event: SubjectEvent<'user.created'>): Promise<User | null> {
    return this.writer.insert(user, event);
  }

  async findById(id: string): Promise<User | null> {
    return (await this.model.findById(id))?.toObject() ?? null;
  }

  /**
   * The account an address belongs to: the one that verified it, else the first that named it
   * (a later sign-up with the same address gets an account that never holds it).
   */
  async findByEmail(email: string): Promise<User | null> {
    const verified = await this.model.findOne({ verifiedEmail: email }).lean();
    if (verified) return this.model.applyDefaults(verified) as User;
    const first = await this.model.findOne({ email }).sort({ createdAt: 1, _id: 1 }).lean();
    return first ? (this.model.applyDefaults(first) as User) : null;
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

  /**
   * The users whose role may differ from the moderator list's: moderators, and accounts that proved
   * a listed address (a full scan: once per start). `roleFor` decides.
   */
  async roleCandidates(moderatorEmails: string[]): Promise<Pick<User, '_id' | 'email' | 'verifiedEmail' | 'role'>[]> {
    return this.model
      .find(
        { $or: [{ verifiedEmail: { $in: moderatorEmails }, role: { $ne: 'moderator' } }, { role: 'moderator' }] },
        { _id: 1, email: 1, verifiedEmail: 1, role: 1 },
      )
      .lean();
  }

  /**
   * Fields no event carries (the address, its proof, the password hash), written without an event
   * and so without the version guard: the last write wins.
   * @returns the user after it, or null if there is no such user
   */
  async setPrivate(
    id: string,
    set: Partial<Pick<User, 'email' | 'verifiedEmail' | 'passwordHash'>>,
  ): Promise<User | null> {
    const doc = await this.model.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }).lean();
    return doc ? (this.model.applyDefaults(doc) as User) : null;
  }

  countFollowers(userId: string): Promise<number> {
    return this.model.countDocuments({ following: userId });
  }
}
