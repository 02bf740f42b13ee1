import { isDuplicateKeyError } from '@postline/common';
import type { Connection, Model } from 'mongoose';
import { postReplicaModel, type PostReplica, type PostReplicaDocument } from './post-replica-model';

export type ReplicaWrite = 'applied' | 'already-applied';

/** The local replica of posts; written only by the post.* listeners. */
export class PostReplicaRepository {
  readonly model: Model<PostReplica>;

  constructor(db: Connection) {
    this.model = postReplicaModel(db);
  }

  findById(id: string): Promise<PostReplicaDocument | null> {
    return this.model.findById(id);
  }

  /** A post that exists and is not deleted. */
  findLive(id: string): Promise<PostReplicaDocument | null> {
    return this.model.findOne({ _id: id, deleted: false });
  }

  /** A post that exists, is published and is not deleted. */
  findPublished(id: string): Promise<PostReplicaDocument | null> {
    return this.model.findOne({ _id: id, published: true, deleted: false });
  }

  async recordCreated(post: {
    id: string;
    authorId: string;
    version: number;
    published: boolean;
  }): Promise<ReplicaWrite> {
    if (await this.model.exists({ _id: post.id })) return 'already-applied';
    try {
      await this.model.create({
        _id: post.id,
        authorId: post.authorId,
        version: post.version,
        published: post.published,
        deleted: false,
      });
      return 'applied';
    } catch (err) {
      // Another replica of this service recorded it between our look-up and insert.
      if (isDuplicateKeyError(err)) return 'already-applied';
      throw err;
    }
  }

  /**
   * Records whether the post is published, as of `version`. Each snapshot
   * carries the whole state, so only newer matters: an older one (a
   * redelivery, or one overtaken) is ignored; versions in between need not
   * have arrived. A deleted post stays deleted.
   */
  async recordPublication(id: string, version: number, published: boolean): Promise<ReplicaWrite> {
    const updated = await this.model.updateOne(
      { _id: id, version: { $lt: version }, deleted: false },
      { $set: { published, version } },
    );
    return updated.modifiedCount === 1 ? 'applied' : 'already-applied';
  }

  /** Marks the post deleted at `version`, unless it is already (or the event is older than what we have). */
  async recordDeleted(current: PostReplicaDocument, version: number): Promise<ReplicaWrite> {
    if (current.deleted || version <= current.version) return 'already-applied';
    const updated = await this.model.updateOne(
      { _id: current._id, version: current.version, deleted: false },
      { $set: { deleted: true, version } },
    );
    return updated.modifiedCount === 1 ? 'applied' : 'already-applied';
  }
}
