import type { AnyEventEnvelope } from '@postline/common';
import type { ReadModels } from '../../data-access/read-models';
import type { ChangeLabels } from '../../domain/change-labels';
import {
  commentChangeShowsPost,
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

  const comment = async (id: string, labels: ChangeLabels): Promise<LiveChange[]> => {
    const found = await models.comments.findOne({ _id: id });
    const shown = found && commentChangeShowsPost(labels, found) ? await post(found.postId) : null;
    return commentLiveChanges(labels, found, shown);
  };

  return async (event: AnyEventEnvelope, labels: ChangeLabels): Promise<LiveChange[]> => {
    if (labels.length === 0) return [];
    switch (event.subject) {
      case 'comment.created':
      case 'comment.updated':
      case 'comment.deleted':
        return comment(event.data.id, labels);
      case 'comment.moderated':
        return comment(event.data.commentId, labels);
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
