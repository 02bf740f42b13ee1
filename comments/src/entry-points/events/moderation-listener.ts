import { RetryLaterError, type EventListener } from '@postline/common';
import type { CommentRepository } from '../../data-access/comment-repository';
import { decisionChange } from '../../domain/moderation-decision';

/**
 * comment.moderated → the judged text becomes approved or rejected, if it is still the current
 * text and the decision is the latest of moderation's record (an overturn follows what it overturns).
 */
export function registerModerationListener(listener: EventListener, comments: CommentRepository): void {
  listener.on('comment.moderated', async (event) => {
    const decision = { ...event.data, moderationVersion: event.version };
    const result = await comments.change(decision.commentId, (comment) => decisionChange(comment, decision));
    if (!result) throw new RetryLaterError(`comment ${decision.commentId} is unknown`);
  });
}
