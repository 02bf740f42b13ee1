import { RetryLaterError } from '@postline/common';
import type { CommentRecord } from '../data-access/comment-model';
import { commentSnapshotData } from '../event-payloads/comment-events';
import type { CommentChange } from './comment-changes';

type DecidedComment = Pick<
  CommentRecord,
  'version' | 'status' | 'reason' | 'deleted' | 'bodyVersion' | 'moderationVersion'
>;

/** A `comment.moderated`: the decision, and `moderationVersion`, its version in moderation's record. */
export interface IncomingDecision {
  moderationVersion: number;
  commentVersion: number;
  status: 'approved' | 'rejected';
  reason: string;
}

/**
 * What a moderation decision does to the comment as it is:
 * - `wait`: it is about a version not written yet;
 * - `stale`: it is about older text (it never approves newer text);
 * - `comment-deleted`: nothing left to decide;
 * - `already-applied`: this decision, or a later one of moderation's record, is applied already
 *   (a redelivery, or an overturned decision arriving after the one that overturned it);
 * - `apply`: the latest decision about the current text: status and reason change.
 * A moderator's overturn is a decision about the same text at a higher moderation version, so it
 * applies after the decision it overturns, exactly once, whatever order the two arrive in.
 */
export function decisionEffect(
  comment: DecidedComment,
  decision: IncomingDecision,
): 'wait' | 'stale' | 'comment-deleted' | 'already-applied' | 'apply' {
  if (comment.deleted) return 'comment-deleted';
  if (decision.commentVersion > comment.version) return 'wait';
  if (decision.commentVersion !== textVersion(comment)) return 'stale';
  if (comment.moderationVersion !== undefined) {
    return decision.moderationVersion > comment.moderationVersion ? 'apply' : 'already-applied';
  }
  // Written before moderationVersion was kept: only a decision of another status or reason (an
  // overturn) is new; the same one again is the decision already applied, delivered twice.
  const same = comment.status === decision.status && comment.reason === decision.reason;
  return comment.status !== 'pending' && same ? 'already-applied' : 'apply';
}

/**
 * The version whose text the comment has. Comments written before `bodyVersion` was kept: a
 * pending one has its text at its version; a decided one got there by one decision, which
 * raised the version by 1.
 */
export function textVersion(comment: Pick<CommentRecord, 'version' | 'status' | 'bodyVersion'>): number {
  if (comment.bodyVersion !== undefined) return comment.bodyVersion;
  return comment.status === 'pending' ? comment.version : comment.version - 1;
}

/**
 * The change a decision makes to the comment as it is (see `decisionEffect`): the status and
 * reason, announced as `comment.updated` (the status change is itself a new version); undefined
 * when it changes nothing. One about a version not written yet waits (RetryLaterError).
 */
export function decisionChange(comment: CommentRecord, decision: IncomingDecision): CommentChange | undefined {
  const effect = decisionEffect(comment, decision);
  if (effect === 'wait') {
    throw new RetryLaterError(
      `comment ${comment._id} is at version ${comment.version}; a decision about version ${decision.commentVersion} must wait`,
    );
  }
  if (effect !== 'apply') return undefined;
  const next = { status: decision.status, reason: decision.reason };
  return {
    set: { ...next, bodyVersion: textVersion(comment), moderationVersion: decision.moderationVersion },
    event: { subject: 'comment.updated', data: commentSnapshotData({ ...comment, ...next }) },
  };
}
