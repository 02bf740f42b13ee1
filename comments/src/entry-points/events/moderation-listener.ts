import type { EventListener } from '@postline/common';
import type { CommentRepository } from '../../data-access/comment-repository';

/**
 * comment.moderated → the judged text becomes approved or rejected, if it is still the current
 * text and the decision is the latest of moderation's record (an overturn follows what it overturns).
 */
export function registerModerationListener(listener: EventListener, comments: CommentRepository): void {
  listener.on('comment.moderated', async (event) => {
    await comments.applyModeration({ ...event.data, moderationVersion: event.version });
  });
}
