import { ConflictError, NotFoundError, type CurrentUser } from '@postline/common';
import type { ModerationRecordRepository } from '../data-access/moderation-record-repository';
import type { QueueItem } from '@postline/common';

export type { QueueItem };

export interface ModeratorDecision {
  commentId: string;
  commentVersion: number;
  status: 'approved' | 'rejected';
  reason: string;
}

/** The comments that wait for a human, and the moderators' decisions about them. */
export class ReviewQueue {
  constructor(private readonly records: ModerationRecordRepository) {}

  async list(limit: number): Promise<QueueItem[]> {
    const records = await this.records.awaitingReview(limit);
    return records.flatMap((record) =>
      record.review
        ? [
            {
              commentId: record._id,
              postId: record.postId,
              authorUsername: record.authorUsername,
              body: record.review.body,
              commentVersion: record.review.commentVersion,
              flags: record.review.flags,
              createdAt: (record.queuedAt ?? record.createdAt).toISOString(),
            },
          ]
        : [],
    );
  }

  /**
   * Decides the version awaiting review. `expectedVersion` (what the moderator
   * saw) guards against deciding text that changed since: 409 then.
   */
  async decide(
    moderator: CurrentUser,
    commentId: string,
    input: { status: 'approved' | 'rejected'; reason: string; commentVersion?: number },
  ): Promise<ModeratorDecision> {
    let decided: ModeratorDecision | undefined;
    const record = await this.records.change(commentId, (current) => {
      if (current.deleted) throw new NotFoundError('Comment not found');
      const review = current.review;
      if (!current.awaitingReview || !review) throw new ConflictError('Comment is not awaiting review');
      if (review.commentVersion !== current.commentVersion) {
        throw new ConflictError(`The comment changed since it was queued (now at version ${current.commentVersion})`);
      }
      if (input.commentVersion !== undefined && input.commentVersion !== review.commentVersion) {
        throw new ConflictError(
          `Version ${input.commentVersion} is stale: version ${review.commentVersion} awaits review`,
          'commentVersion',
        );
      }
      decided = { commentId, commentVersion: review.commentVersion, status: input.status, reason: input.reason };
      return {
        set: { awaitingReview: false, review: null, queuedAt: null },
        decision: { ...decided, decidedBy: moderator.id, decidedAt: new Date() },
      };
    });
    if (!record || !decided) throw new NotFoundError('Comment not found');
    return decided;
  }
}
