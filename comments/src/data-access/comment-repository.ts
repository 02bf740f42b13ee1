import { Types, type Connection, type Model } from 'mongoose';
import { OutboxWriter, RetryLaterError, type OutboxRelay } from '@postline/common';
import { decisionEffect, textVersion, type IncomingDecision } from '../domain/moderation-decision';
import { commentDeletedData, commentSnapshotData } from '../events/comment-events';
import { commentModel, type Comment, type CommentDocument } from './comment-model';

export interface NewComment {
  postId: string;
  authorId: string;
  authorUsername: string;
  body: string;
}

/** What applying a moderation decision did. */
export type ModerationOutcome = 'applied' | 'stale' | 'comment-deleted' | 'already-applied';

/** Comments; every change is written together with the event announcing it. */
export class CommentRepository {
  readonly model: Model<Comment>;
  private readonly writer: OutboxWriter<Comment>;

  constructor(db: Connection, relay: OutboxRelay) {
    this.model = commentModel(db);
    this.writer = new OutboxWriter(this.model, 'comments', relay);
  }

  create(comment: NewComment): Promise<CommentDocument> {
    const now = new Date();
    return this.writer.create(
      {
        _id: new Types.ObjectId().toHexString(),
        ...comment,
        status: 'pending',
        reason: '',
        createdAt: now,
        updatedAt: now,
        bodyVersion: 0,
        moderationVersion: -1,
        deleted: false,
        deletedAt: null,
      },
      { subject: 'comment.created', data: commentSnapshotData },
    );
  }

  /** A comment that exists and is not deleted. */
  findLive(id: string): Promise<CommentDocument | null> {
    return this.model.findOne({ _id: id, deleted: false });
  }

  /** New text goes back to `pending`: it has to be moderated again. Same text: nothing changes. */
  async editBody(id: string, body: string): Promise<CommentDocument | null> {
    const result = await this.writer.change(id, (comment) => {
      if (comment.deleted || comment.body === body) return undefined;
      const next = { body, status: 'pending' as const, reason: '', updatedAt: new Date() };
      return {
        update: { $set: { ...next, bodyVersion: comment.version + 1 } },
        event: { subject: 'comment.updated', data: commentSnapshotData({ ...comment.toObject(), ...next }) },
      };
    });
    return result && !result.doc.deleted ? result.doc : null;
  }

  /**
   * Applies a moderation decision if it is the latest about the comment's current text (see
   * `decisionEffect`); the status change is itself a new version, announced as `comment.updated`.
   * One about a version not written yet waits (RetryLaterError).
   */
  async applyModeration(decision: IncomingDecision & { commentId: string }): Promise<ModerationOutcome> {
    let outcome: ModerationOutcome = 'applied';
    const result = await this.writer.change(decision.commentId, (comment) => {
      const effect = decisionEffect(comment, decision);
      if (effect === 'wait') {
        throw new RetryLaterError(
          `comment ${comment._id} is at version ${comment.version}; a decision about version ${decision.commentVersion} must wait`,
        );
      }
      if (effect !== 'apply') {
        outcome = effect;
        return undefined;
      }
      const next = { status: decision.status, reason: decision.reason };
      outcome = 'applied';
      return {
        update: {
          $set: { ...next, bodyVersion: textVersion(comment), moderationVersion: decision.moderationVersion },
        },
        event: { subject: 'comment.updated', data: commentSnapshotData({ ...comment.toObject(), ...next }) },
      };
    });
    if (!result) throw new RetryLaterError(`comment ${decision.commentId} is unknown`);
    return outcome;
  }

  /** Marks the comment deleted (a tombstone, text erased) and announces it; false if it was already. */
  async delete(id: string): Promise<boolean> {
    const result = await this.writer.change(id, (comment) =>
      comment.deleted
        ? undefined
        : {
            update: { $set: { deleted: true, deletedAt: new Date(), body: '' } },
            event: { subject: 'comment.deleted', data: commentDeletedData(comment) },
          },
    );
    return result?.changed ?? false;
  }

  /** Ids of a post's comments that are not deleted yet. */
  async liveIdsOfPost(postId: string): Promise<string[]> {
    const docs = await this.model.find({ postId, deleted: false }, { _id: 1 }).lean();
    return docs.map((doc) => doc._id);
  }
}
