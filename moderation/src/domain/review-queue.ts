import { ConflictError, NotFoundError, type CurrentUser, type ReplicaCatchUp } from '@postline/common';
import type { ModerationRecordRepository } from '../data-access/moderation-record-repository';
import type { ModerationRecordDocument } from '../data-access/moderation-record-model';
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
  constructor(
    private readonly records: ModerationRecordRepository,
    private readonly commentsCatchUp: ReplicaCatchUp,
  ) {}

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
    await this.caughtUpWith(commentId, input.commentVersion);
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

  /**
   * The comment is known here only from comment.* events: one written a moment ago, or the
   * version a moderator names (just edited), may not have arrived yet. Waits for it (up to
   * REPLICA_WAIT_MS); what is still missing then is answered as before (404, or 409 stale).
   */
  private async caughtUpWith(commentId: string, commentVersion: number | undefined): Promise<void> {
    const caughtUp = (record: ModerationRecordDocument | null) =>
      record !== null && (commentVersion === undefined || record.commentVersion >= commentVersion);
    const now = await this.records.findById(commentId);
    if (caughtUp(now)) return;
    await this.commentsCatchUp.waitFor(
      commentId,
      async () => {
        const record = await this.records.findById(commentId);
        return caughtUp(record) ? record : null;
      },
      // A version newer than the record's: how old the comment's id is says nothing about it.
      { anyAge: now !== null },
    );
  }
}
