import { applyInOrder, collectionOf, type ApplyOutcome, type DocChange, type EventEnvelope } from '@postline/common';
import type { Connection, Model } from 'mongoose';
import { postReplicaModel, type PostReplica, type PostReplicaDocument } from './post-replica-model';

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

  /**
   * Applies a post event to the replica. The replica follows only some of the post's events
   * (likes are versions of the post too), each carrying all it keeps: `newer` order.
   * @throws RetryLaterError if the post is not known yet
   */
  apply(event: EventEnvelope, change: DocChange<PostReplica>): Promise<ApplyOutcome> {
    return applyInOrder(collectionOf(this.model), event, change, { what: `post ${event.aggregateId}`, order: 'newer' });
  }
}
