import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';

/**
 * What comments knows about a post, from `post.created` and `post.deleted`:
 * that it exists, who wrote it (the post's author may delete its comments),
 * and whether it was deleted. Only these events are consumed: the author is
 * fixed at creation and deletion is final, so the edits and likes in between
 * change nothing here.
 */
export interface PostReplica {
  _id: string;
  authorId: string;
  /** The post aggregate's version this replica reflects: 0 from post.created, then post.deleted's. */
  version: number;
  deleted: boolean;
}

export type PostReplicaDocument = HydratedDocument<PostReplica>;

const postReplicaSchema = new Schema<PostReplica>(
  {
    _id: { type: String, required: true },
    authorId: { type: String, required: true },
    version: { type: Number, required: true },
    deleted: { type: Boolean, default: false },
  },
  { versionKey: false, collection: 'posts' },
);

export function postReplicaModel(db: Connection): Model<PostReplica> {
  return db.models.PostReplica ?? db.model<PostReplica>('PostReplica', postReplicaSchema);
}
