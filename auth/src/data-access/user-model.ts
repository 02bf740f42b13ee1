import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields, type Role } from '@postline/common';

export interface User extends OutboxFields {
  _id: string;
  email: string;
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
    email: { type: String, required: true, unique: true },
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
