import type { EventListener } from '@postline/common';
import type { CommentRepository } from '../../data-access/comment-repository';

/** comment.moderated → the judged version becomes approved or rejected (if it is still the current one). */
export function registerModerationListener(listener: EventListener, comments: CommentRepository): void {
  listener.on('comment.moderated', async (event) => {
    await comments.applyModeration(event.data);
  });
}
