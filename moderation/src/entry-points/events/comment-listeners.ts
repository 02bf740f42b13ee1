import type { EventListener, ReplicaCatchUp } from '@postline/common';
import type { CommentModeration } from '../../domain/comment-moderation';

/**
 * comment.created / comment.updated → judge the new text; comment.deleted → nothing left to
 * review. Either way, decisions waiting for that comment in this process look again at once.
 */
export function registerCommentListeners(
  listener: EventListener,
  moderation: CommentModeration,
  commentsCatchUp: ReplicaCatchUp,
): void {
  listener.on('comment.created', async (event) => {
    await moderation.commentVersionSeen(event);
    commentsCatchUp.arrived(event.aggregateId);
  });
  listener.on('comment.updated', async (event) => {
    await moderation.commentVersionSeen(event);
    commentsCatchUp.arrived(event.aggregateId);
  });
  listener.on('comment.deleted', async (event) => {
    await moderation.commentDeleted(event);
    commentsCatchUp.arrived(event.aggregateId);
  });
}
