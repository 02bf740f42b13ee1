import { ConflictError, NotFoundError, type CurrentUser, type ReplicaCatchUp } from '@postline/common';
import type { DecisionItem, ModerationPage, ModeratorDecision, QueueItem } from '@postline/common';
import type { ModerationRecordRepository, RecordChange } from '../data-access/moderation-record-repository';
import type { ModerationRecord } from '../data-access/moderation-record-model';

export type { DecisionItem, ModerationPage, ModeratorDecision, QueueItem };

export interface DecisionInput {
  status: 'approved' | 'rejected';
  reason: string;
  /** The comment version the moderator looked at: a decision about text that changed since is refused. */
  commentVersion?: number;
}

type RecordState = Pick<
  ModerationRecord,
  '_id' | 'commentVersion' | 'deleted' | 'awaitingReview' | 'review' | 'decisions' | 'standing'
>;

/**
 * What a moderator's decision does to the record as it is: decides the version awaiting review,
 * or overturns the decision that stands about the current text (rules' or a moderator's) with a
 * new decision about the same text version. Throws 404 for a deleted comment and 409 when the
 * version named is not the one to decide, when nothing is there to decide, or when the decision
 * would change nothing.
 */
export function planDecision(
  record: RecordState,
  moderatorId: string,
  input: DecisionInput,
  now = new Date(),
): { change: RecordChange; decided: ModeratorDecision } {
  if (record.deleted) throw new NotFoundError('Comment not found');
  const staleIfNot = (current: number, what: string) => {
    if (input.commentVersion !== undefined && input.commentVersion !== current)
      throw new ConflictError(`Version ${input.commentVersion} is stale: version ${current} ${what}`, 'commentVersion');
  };
  const decision = { status: input.status, reason: input.reason, decidedBy: moderatorId, decidedAt: now };

  const { review } = record;
  if (record.awaitingReview && review) {
    if (review.commentVersion !== record.commentVersion) {
      throw new ConflictError(`The comment changed since it was queued (now at version ${record.commentVersion})`);
    }
    staleIfNot(review.commentVersion, 'awaits review');
    const decided = { commentId: record._id, commentVersion: review.commentVersion, ...pick(input) };
    return {
      decided,
      change: {
        set: { awaitingReview: false, review: null, queuedAt: null, standing: standingOf(decided, review.body, now) },
        decision: { ...decision, commentVersion: review.commentVersion },
      },
    };
  }

  const standing = standingDecision(record);
  if (!standing) throw new ConflictError('Comment is not awaiting review');
  staleIfNot(standing.commentVersion, 'is the current text');
  if (standing.status === input.status) throw new ConflictError(`The comment is already ${input.status}`, 'status');
  const decided: ModeratorDecision = {
    commentId: record._id,
    commentVersion: standing.commentVersion,
    ...pick(input),
    overturned: { status: standing.status, reason: standing.reason, decidedBy: standing.decidedBy },
  };
  return {
    decided,
    change: {
      set: { standing: standingOf(decided, standing.body, now) },
      decision: { ...decision, commentVersion: standing.commentVersion },
    },
  };
}

/**
 * The decision that stands about the current text. Records written before `standing` existed
 * have it as their last decision (the text itself was not kept then).
 */
function standingDecision(record: RecordState): ModerationRecord['standing'] {
  if (record.standing) return record.standing;
  const last = record.decisions.at(-1);
  if (!last || record.awaitingReview) return null;
  const { commentVersion, status, reason, decidedBy, decidedAt } = last;
  return {
    commentVersion,
    body: '',
    status,
    reason,
    decidedBy: decidedBy === 'rules' ? 'rules' : 'moderator',
    decidedAt,
  };
}

const pick = ({ status, reason }: DecisionInput) => ({ status, reason });

function standingOf(decided: ModeratorDecision, body: string, decidedAt: Date): ModerationRecord['standing'] {
  const { commentVersion, status, reason } = decided;
  return { commentVersion, body, status, reason, decidedBy: 'moderator', decidedAt };
}

const pageOf = <T>(items: T[], page: number, limit: number, total: number): ModerationPage<T> => ({
  items,
  page,
  limit,
  total,
  totalPages: Math.ceil(total / limit),
});

/** The comments that wait for a human, the decisions that stand, and the moderators' decisions. */
export class ReviewQueue {
  constructor(
    private readonly records: ModerationRecordRepository,
    private readonly commentsCatchUp: ReplicaCatchUp,
  ) {}

  /** What awaits review, oldest first. */
  async list(page: number, limit: number): Promise<ModerationPage<QueueItem>> {
    const { records, total } = await this.records.awaitingReview((page - 1) * limit, limit);
    const items = records.flatMap((record) =>
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
    return pageOf(items, page, limit, total);
  }

  /** The decisions that stand about comments' current texts, newest first (e.g. the rules' rejections). */
  async decisions(
    filter: { decidedBy?: 'rules' | 'moderator'; status?: 'approved' | 'rejected' },
    page: number,
    limit: number,
  ): Promise<ModerationPage<DecisionItem>> {
    const { records, total } = await this.records.standing(filter, (page - 1) * limit, limit);
    const items = records.flatMap((record) =>
      record.standing
        ? [
            {
              commentId: record._id,
              postId: record.postId,
              authorUsername: record.authorUsername,
              body: record.standing.body,
              commentVersion: record.standing.commentVersion,
              status: record.standing.status,
              reason: record.standing.reason,
              decidedBy: record.standing.decidedBy,
              decidedAt: record.standing.decidedAt.toISOString(),
            },
          ]
        : [],
    );
    return pageOf(items, page, limit, total);
  }

  /**
   * Decides the version awaiting review, or overturns the decision about the current text.
   * `commentVersion` (what the moderator saw) guards against deciding text that changed since: 409 then.
   */
  async decide(moderator: CurrentUser, commentId: string, input: DecisionInput): Promise<ModeratorDecision> {
    await this.caughtUpWith(commentId, input.commentVersion);
    let decided: ModeratorDecision | undefined;
    const record = await this.records.change(commentId, (current) => {
      const planned = planDecision(current, moderator.id, input);
      decided = planned.decided;
      return planned.change;
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
    const caughtUp = (record: ModerationRecord | null) =>
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
