import type { AnyEventEnvelope } from '@postline/common';
import type { ReadModels } from '../../data-access/read-models';
import type { ChangeLabels } from '../../domain/change-labels';
import {
  commentLiveChanges,
  livePostProjection,
  postLiveChanges,
  type LiveChange,
  type LivePost,
} from '../../domain/live-changes';

/**
 * After a handler applied an event (live path only, never the replay): what
 * the event changed that live pages show, read back by id (a comment and its
 * post, or a post) so the change carries the state after the write, whichever
 * order duplicates arrive in. Announced with the change's labels (see
 * change-notices.ts); serialised once by each replica that receives it.
 */
export function liveChangesReader(models: ReadModels) {
  const post = (id: string) =>
    models.posts.findOne({ _id: id }, { projection: livePostProjection }) as Promise<LivePost | null>;

  return async (event: AnyEventEnvelope, labels: ChangeLabels): Promise<LiveChange[]> => {
    if (labels.length === 0) return [];
    switch (event.subject) {
      case 'comment.created':
      case 'comment.updated':
      case 'comment.deleted': {
        const comment = await models.comments.findOne({ _id: event.data.id });
        return commentLiveChanges(labels, comment, comment ? await post(comment.postId) : null);
      }
      case 'comment.moderated': {
        const comment = await models.comments.findOne({ _id: event.data.commentId });
        return commentLiveChanges(labels, comment, comment ? await post(comment.postId) : null);
      }
      case 'post.updated':
      case 'post.liked':
      case 'post.unliked':
      case 'post.deleted':
        return postLiveChanges(event.subject, labels, event.aggregateId, await post(event.aggregateId));
      default:
        return [];
    }
  };
}

export type LiveChangesReader = ReturnType<typeof liveChangesReader>;
