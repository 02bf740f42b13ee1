import { Schema, type Connection, type Model } from 'mongoose';

/**
 * The local replica of auth's users that posts needs: who an author is
 * called. Built only from `user.*` events; `version` is the user aggregate's
 * version last applied, so events are applied once and in order.
 */
export interface Author {
  _id: string;
  username: string;
  version: number;
}

const authorSchema = new Schema<Author>(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true },
    version: { type: Number, required: true },
  },
  { versionKey: false },
);

export function authorModel(db: Connection): Model<Author> {
  return db.models.Author ?? db.model<Author>('Author', authorSchema);
}
