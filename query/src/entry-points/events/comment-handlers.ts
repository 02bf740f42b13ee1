import { applyInOrder, decideApply, RetryLaterError, type AnyEventEnvelope, type EventData } from '@postline/common';
import type { mongo } from 'mongoose';
import type { ReadModels, StoredComment } from '../../data-access/read-models';
import { fieldKey } from '../../data-access/field-key';
import { syncApprovedComment } from '../../data-access/maintained-counts';
import { isApproved } from '../../domain/visibility';
import { changeLabel, type ChangeLabels } from '../../domain/change-labels';
import { decisionRelevance } from '../../domain/decision-relevance';
import type { ReadModelHandlers } from './handlers';

type CommentSubject = 'comment.created' | 'comment.updated' | 'comment.deleted' | 'comment.moderated';

/** The comment as comment.created makes it (shared by the live handler and the batched replay). */
export function newComment(data: EventData<'comment.created'>): StoredComment {
  return {
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
  };
}

type UpdatedComment = Pick<StoredComment, 'body' | 'bodyVersion' | 'decidedVersion' | 'status' | 'reason'>;

/**
 * The status comment.updated leaves: its own, unless it only restates the text (a status-only
 * update) and a decision about that text is already applied here. The decision and the comments
 * service's update travel separately: one written before the comments service applied the
 * decision would otherwise undo it until the next update.
 */
export function statusAfterUpdate(
  data: EventData<'comment.updated'>,
  current: UpdatedComment,
): Pick<StoredComment, 'status' | 'reason'> {
  const decided = data.body === current.body && (current.decidedVersion ?? -1) >= current.bodyVersion;
  return decided
    ? { status: current.status, reason: current.reason }
    : { status: data.status, reason: data.reason ?? '' };
}

/** What comment.updated sets, given the comment as it is. */
export function commentUpdate(
  event: { version: number; data: EventData<'comment.updated'> },
  current: UpdatedComment,
): mongo.UpdateFilter<StoredComment> {
  const { data } = event;
  return {
    $set: {
      body: data.body,
      ...statusAfterUpdate(data, current),
      authorUsername: data.authorUsername,
      updatedAt: new Date(data.updatedAt),
      // A status-only change (the comments service applying a decision)
      // keeps the text's version, so a decision about that text still applies.
      bodyVersion: data.body !== current.body ? event.version : current.bodyVersion,
    },
  };
}

export const commentTombstone: mongo.UpdateFilter<StoredComment> = { $set: { deleted: true, body: '', reason: '' } };

/** The field of a comment that keeps the version applied of one moderation record. */
export const moderationKey = (moderationId: string) => `moderation.${fieldKey(moderationId)}`;

/**
 * What a decision does to the comment as it is: `wait` (about text not seen
 * yet), `skip` (a duplicate, or about older text: only its version is kept),
 * or the update to make.
 */
export function decisionUpdate(
  event: { aggregateId: string; version: number; data: EventData<'comment.moderated'> },
  current: StoredComment,
): { wait: string } | { skip: true } | { update: mongo.UpdateFilter<StoredComment>; applies: boolean } {
  const { data } = event;
  const applied = current.moderation?.[fieldKey(event.aggregateId)];
  if (decideApply(applied, event.version, `moderation ${event.aggregateId}`) === 'already-applied')
    return { skip: true };
  const verdict = decisionRelevance(current, data.commentVersion);
  if (verdict === 'wait') {
    return {
      wait: `decision about comment ${data.commentId} v${data.commentVersion}: comment is at v${current.version}`,
    };
  }
  return {
    applies: verdict === 'apply',
    update: {
      $set: {
        [moderationKey(event.aggregateId)]: event.version,
        // Applied to a deleted comment too, keeping its reason cleared, so the outcome is the
        // same whichever of the deletion and the decision arrives first.
        ...(verdict === 'apply'
          ? { status: data.status, reason: current.deleted ? '' : data.reason, decidedVersion: data.commentVersion }
          : {}),
      },
    },
  };
}

/**
 * comment.*: the comments view, and each post's approved-comment count. A
 * comment needs its post: one for a post not seen yet waits (RetryLaterError);
 * one for a deleted post is dropped, since the post's deletion removed its
 * comments for good. The count is synced whenever a comment may have entered
 * or left the approved ones, and on every redelivery.
 */
export function commentHandlers(models: ReadModels): Pick<ReadModelHandlers, CommentSubject> {
  const { posts, comments } = models;

  async function postState(postId: string): Promise<'live' | 'deleted' | 'unknown'> {
    const post = await posts.findOne({ _id: postId }, { projection: { deleted: 1 } });
    return !post ? 'unknown' : post.deleted ? 'deleted' : 'live';
  }

  /** For an event about a comment we do not hold: wait for it, unless its post is gone. */
  async function commentMissing(event: AnyEventEnvelope, postId: string): Promise<ChangeLabels> {
    if ((await postState(postId)) === 'deleted') return [];
    throw new RetryLaterError(`comment ${event.aggregateId} is not known yet (${event.subject} v${event.version})`);
  }

  /** Syncs the post's count (`approved`: the comment's state now, if known) and names what changed. */
  async function counted(comment: { id: string; postId: string }, approved?: boolean): Promise<ChangeLabels> {
    const changed = await syncApprovedComment(posts, comments, comment, approved);
    // Unknown state (a redelivery) counts as changed: the first delivery may have changed the count unannounced.
    return changed || approved === undefined
      ? [changeLabel.postPage(comment.postId), changeLabel.post(comment.postId)]
      : [changeLabel.postPage(comment.postId)];
  }

  return {
    'comment.created': async (event) => {
      const { data } = event;
      const post = await postState(data.postId);
      if (post === 'unknown') throw new RetryLaterError(`post ${data.postId} of comment ${data.id} is not known yet`);
      if (post === 'deleted') return [];
      const outcome = await applyInOrder(comments, event, { create: () => newComment(data) });
      // The post may have been deleted (and its comments removed) between the
      // check above and the insert: remove what would be an orphan.
      if (outcome === 'applied' && (await postState(data.postId)) === 'deleted') {
        await comments.deleteOne({ _id: data.id });
        return [];
      }
      if (outcome === 'applied' && data.status !== 'approved') return [changeLabel.postPage(data.postId)];
      return counted(data, outcome === 'applied' ? true : undefined);
    },

    'comment.updated': async (event) => {
      const { data } = event;
      const current = await comments.findOne({ _id: data.id });
      if (!current) return commentMissing(event, data.postId);
      if (decideApply(current.version, event.version, `comment ${data.id}`) === 'already-applied') {
        return counted(data);
      }
      // Guarded on the status it was computed from: a decision applied meanwhile (an overturn) is
      // not undone; the event is retried on the comment as it is then.
      await applyInOrder(comments, event, {
        update: commentUpdate(event, current),
        guard: { status: current.status, reason: current.reason },
      });
      const approved = statusAfterUpdate(data, current).status === 'approved' && !current.deleted;
      // Approved before and after (a status-only update confirming a decision already applied): the count
      // stands as the write that approved it synced it, or as that event's redelivery will.
      if (approved === isApproved(current)) return [changeLabel.postPage(data.postId)];
      return counted(data, approved);
    },

    'comment.deleted': async (event) => {
      const { data } = event;
      const current = await comments.findOne({ _id: data.id }, { projection: { status: 1, deleted: 1, version: 1 } });
      if (!current) return commentMissing(event, data.postId);
      const outcome = await applyInOrder(comments, event, { update: commentTombstone });
      if (outcome === 'applied' && !isApproved(current)) return [changeLabel.postPage(data.postId)];
      return counted(data, outcome === 'applied' ? false : undefined);
    },

    /**
     * A moderation decision has versions of its own (the moderation record's),
     * kept per record on the comment; it changes the status only when it is
     * about the text the comment has now.
     */
    'comment.moderated': async (event) => {
      const { data } = event;
      const target = { id: data.commentId, postId: data.postId };
      const current = await comments.findOne({ _id: data.commentId });
      if (!current) return commentMissing(event, data.postId);
      const decision = decisionUpdate(event, current);
      if ('wait' in decision) throw new RetryLaterError(decision.wait);
      if ('skip' in decision) return counted(target);
      const applied = current.moderation?.[fieldKey(event.aggregateId)];
      const result = await comments.updateOne(
        {
          _id: data.commentId,
          version: current.version,
          [moderationKey(event.aggregateId)]: applied ?? { $exists: false },
        } as mongo.Filter<StoredComment>,
        decision.update,
      );
      if (result.matchedCount === 0)
        throw new RetryLaterError(`comment ${data.commentId} changed while applying a decision`);
      const approved = decision.applies ? data.status === 'approved' && !current.deleted : isApproved(current);
      if (!approved && !isApproved(current)) return [changeLabel.postPage(data.postId)];
      return counted(target, approved);
    },
  };
}
