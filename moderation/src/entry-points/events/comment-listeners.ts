import type { EventListener } from '@postline/common';
import type { CommentModeration } from '../../domain/comment-moderation';

/** comment.created / comment.updated → judge the new text; comment.deleted → nothing left to review. */
export function registerCommentListeners(listener: EventListener, moderation: CommentModeration): void {
  listener.on('comment.created', (event) => moderation.commentVersionSeen(event));
  listener.on('comment.updated', (event) => moderation.commentVersionSeen(event));
  listener.on('comment.deleted', (event) => moderation.commentDeleted(event));
}
