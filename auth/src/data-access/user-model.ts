import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields, type Role } from '@postline/common';

export interface User extends OutboxFields {
  _id: string;
  /** The address the account signs in with; several unverified accounts may name the same one. */
  email: string;
  /** Set once `email` is proven by an emailed link, to that address; unique among accounts. */
  verifiedEmail?: string;
  username: string;
  passwordHash: string;
  role: Role;
  bio: string;
  image: string;
  /** Ids of the users this user follows: a follow is a change of the follower. */
  following: string[];
  createdAt: Date;
}

const userSchema = new Schema<User>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true, index: true },
    // Sparse: only verified accounts hold an address exclusively.
    verifiedEmail: { type: String, unique: true, sparse: true },
    username: { type: String, required: true, unique: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ['user', 'moderator'], required: true },
    bio: { type: String, default: '' },
    image: { type: String, default: '' },
    following: { type: [String], default: [], index: true },
    createdAt: { type: Date, default: () => new Date() },
    ...outboxSchemaFields,
  },
  { versionKey: false },
);

export function userModel(db: Connection): Model<User> {
  return db.models.User ?? db.model<User>('User', userSchema);
}

/**
 * Builds the indexes. A database from before verified addresses has a unique index on `email`
 * (an address could not be named twice, so sign-up told anyone which were taken); it is dropped
 * for the plain one, and uniqueness moves to `verifiedEmail`.
 */
export async function prepareUserIndexes(db: Connection): Promise<void> {
  const model = userModel(db);
  const existing = await model.collection.indexes().catch(() => []);
  if (existing.some((index) => index.name === 'email_1' && index.unique)) await model.collection.dropIndex('email_1');
  await model.init();
}
