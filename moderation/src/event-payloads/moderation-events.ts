import type { EventData } from '@postline/common';
import type { Decision, ModerationRecord } from '../data-access/moderation-record-model';

/** `comment.moderated`: a decision about one version of the comment (`decidedBy`: the rules, or a moderator, whose id stays here). */
export function commentModeratedData(
  record: Pick<ModerationRecord, '_id' | 'postId'>,
  decision: Decision,
): EventData<'comment.moderated'> {
  return {
    commentId: record._id,
    postId: record.postId,
    commentVersion: decision.commentVersion,
    status: decision.status,
    reason: decision.reason,
    decidedBy: decision.decidedBy === 'rules' ? 'rules' : 'moderator',
  };
}
