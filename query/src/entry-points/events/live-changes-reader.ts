import type { ReadModels } from '../../data-access/read-models';
import type { ChangeLabels } from '../../domain/change-labels';
import {
  commentLiveChanges,
  livePostProjection,
  postLiveChanges,
  type LiveAbout,
  type LiveChange,
  type LivePost,
} from '../../domain/live-changes';

/**
 * What an applied change (live path only, never the replay) shows on live pages, read back by id
 * (a comment and its post, or a post) so it carries the state after the write, whichever order
 * duplicates arrive in. Called by each replica whose streams follow a channel the change may
 * concern (live-hub.ts), when its notice arrives or when a stream resumes across it.
 */
export function liveChangesReader(models: ReadModels) {
  const post = (id: string) =>
    models.posts.findOne({ _id: id }, { projection: livePostProjection }) as Promise<LivePost | null>;

  const comment = async (id: string, labels: ChangeLabels): Promise<LiveChange[]> => {
    const found = await models.comments.findOne({ _id: id });
    return commentLiveChanges(labels, found, found && (await post(found.postId)));
  };

  return async ({ subject, labels, postId, commentId }: LiveAbout): Promise<LiveChange[]> => {
    if (commentId !== undefined) return comment(commentId, labels);
    return postLiveChanges(subject, labels, postId, await post(postId));
  };
}

export type LiveChangesReader = ReturnType<typeof liveChangesReader>;
