import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';

/**
 * What comments knows about a post, from `post.created`, `post.updated` and
 * `post.deleted`: that it exists, who wrote it (the post's author may delete
 * its comments), whether it is published (nobody comments on a draft) and
 * whether it was deleted. Likes change nothing here.
 */
export interface PostReplica {
  _id: string;
  authorId: string;
  /** The post aggregate's version this replica reflects: 0 from post.created, then post.deleted's. */
  version: number;
  /** False for a draft. Replicas written before drafts existed have no field: published (the default). */
  published: boolean;
  deleted: boolean;
}

export type PostReplicaDocument = HydratedDocument<PostReplica>;

const postReplicaSchema = new Schema<PostReplica>(
  {
    _id: { type: String, required: true },
    authorId: { type: String, required: true },
    version: { type: Number, required: true },
    published: { type: Boolean, default: true },
    deleted: { type: Boolean, default: false },
  },
  { versionKey: false, collection: 'posts' },
);

export function postReplicaModel(db: Connection): Model<PostReplica> {
  return db.models.PostReplica ?? db.model<PostReplica>('PostReplica', postReplicaSchema);
}
