import { decideApply, RetryLaterError, type AnyEventEnvelope, type EventData } from '@postline/common';
import type { CommentView, ReadModels } from '../../data-access/read-models';
import { applyInOrder, fieldKey } from '../../data-access/apply-in-order';
import { judgeDecision } from '../../domain/moderation-rules';
import type { ReadModelHandlers } from './handlers';

/**
 * comment.*: the comments view. A comment needs its post: one for a post not
 * seen yet waits (RetryLaterError); one for a deleted post is dropped, since
 * the post's deletion removed its comments for good.
 */
export function commentHandlers(
  models: ReadModels,
): Pick<ReadModelHandlers, `comment.${string}` & keyof ReadModelHandlers> {
  const { posts, comments } = models;

  async function postState(postId: string): Promise<'live' | 'deleted' | 'unknown'> {
    const post = await posts.findOne({ _id: postId }, { projection: { deleted: 1 } });
    return !post ? 'unknown' : post.deleted ? 'deleted' : 'live';
  }

  /** For an event about a comment we do not hold: wait for it, unless its post is gone. */
  async function commentMissing(event: AnyEventEnvelope, postId: string): Promise<void> {
    if ((await postState(postId)) === 'deleted') return;
    throw new RetryLaterError(`comment ${event.aggregateId} is not known yet (${event.subject} v${event.version})`);
  }

  return {
    'comment.created': async (event) => {
      const { data } = event;
      const post = await postState(data.postId);
      if (post === 'unknown') throw new RetryLaterError(`post ${data.postId} of comment ${data.id} is not known yet`);
      if (post === 'deleted') return;
      const outcome = await applyInOrder(comments, event, {
        create: (): CommentView => ({
          _id: data.id,
          postId: data.postId,
          authorId: data.authorId,
          authorUsername: data.authorUsername,
          body: data.body,
          status: data.status,
          reason: data.reason ?? '',
          createdAt: new Date(data.createdAt),
          updatedAt: new Date(data.updatedAt),
          version: 0,
          bodyVersion: 0,
          moderation: {},
          deleted: false,
        }),
      });
      // The post may have been deleted (and its comments removed) between the
      // check above and the insert: remove what would be an orphan.
      if (outcome === 'applied' && (await postState(data.postId)) === 'deleted') {
        await comments.deleteOne({ _id: data.id });
      }
    },

    'comment.updated': async (event) => {
      const { data } = event;
      const current = await comments.findOne({ _id: data.id }, { projection: { version: 1, body: 1, bodyVersion: 1 } });
      if (!current) return commentMissing(event, data.postId);
      if (decideApply(current.version, event.version, `comment ${data.id}`) === 'already-applied') return;
      const textChanged = data.body !== current.body;
      await applyInOrder(comments, event, {
        update: {
          $set: {
            ...snapshotFields(data),
            // A status-only change (the comments service applying a decision)
            // keeps the text's version, so a decision about that text still applies.
            bodyVersion: textChanged ? event.version : current.bodyVersion,
          },
        },
      });
    },

    'comment.deleted': async (event) => {
      const current = await comments.findOne({ _id: event.data.id }, { projection: { _id: 1 } });
      if (!current) return commentMissing(event, event.data.postId);
      await applyInOrder(comments, event, { update: { $set: { deleted: true, body: '', reason: '' } } });
    },

    /**
     * A moderation decision has versions of its own (the moderation record's),
     * kept per record on the comment; it changes the status only when it is
     * about the text the comment has now.
     */
    'comment.moderated': async (event) => {
      const { data } = event;
      const current = await comments.findOne({ _id: data.commentId });
      if (!current) return commentMissing(event, data.postId);
      const key = `moderation.${fieldKey(event.aggregateId)}`;
      const applied = current.moderation?.[fieldKey(event.aggregateId)];
      if (decideApply(applied, event.version, `moderation ${event.aggregateId}`) === 'already-applied') return;
      const verdict = judgeDecision(current, data.commentVersion);
      if (verdict === 'wait') {
        throw new RetryLaterError(
          `decision about comment ${data.commentId} v${data.commentVersion}: comment is at v${current.version}`,
        );
      }
      const result = await comments.updateOne(
        { _id: data.commentId, version: current.version, [key]: applied ?? { $exists: false } },
        {
          $set: {
            [key]: event.version,
            // Applied to a deleted comment too, keeping its reason cleared, so the outcome is the
            // same whichever of the deletion and the decision arrives first.
            ...(verdict === 'apply' ? { status: data.status, reason: current.deleted ? '' : data.reason } : {}),
          },
        },
      );
      if (result.matchedCount === 0)
        throw new RetryLaterError(`comment ${data.commentId} changed while applying a decision`);
    },
  };
}

function snapshotFields(data: EventData<'comment.updated'>): Partial<CommentView> {
  return {
    body: data.body,
    status: data.status,
    reason: data.reason ?? '',
    authorUsername: data.authorUsername,
    updatedAt: new Date(data.updatedAt),
  };
}
