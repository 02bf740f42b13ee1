import type { AnyEventEnvelope, EventEnvelope } from '@postline/common';
import type { StoredComment } from '../../data-access/read-models';
import { fieldKey } from '../../data-access/field-key';
import { changeLabel, type ChangeLabels } from '../change-labels';
import { isApproved } from '../visibility';
import { inOrder, skip, wait, type Projection } from './projection';

export type CommentEvent =
  | EventEnvelope<'comment.created'>
  | EventEnvelope<'comment.updated'>
  | EventEnvelope<'comment.deleted'>
  | EventEnvelope<'comment.moderated'>;

/** The comment's post, as the posts read model has it. */
export type PostState = 'live' | 'deleted' | 'unknown';

export interface CommentEffects {
  /** Whether the post counts the comment after the change (approved and live): its count follows when this differs from before. */
  approved: boolean;
  /** Whether it counted before. */
  wasApproved: boolean;
}

/** The comment an event is about (a decision's aggregate is moderation's record). */
export const commentIdOf = (event: AnyEventEnvelope): string =>
  event.subject === 'comment.moderated' ? event.data.commentId : event.aggregateId;

/** Where a comment keeps the version applied of one moderation record (comment.moderated has versions of its own). */
export const moderationKeyOf = (moderationId: string) => fieldKey(moderationId);

/**
 * comments: one document per comment, and whether its post counts it.
 *
 * One source for the status (decision, see query/README.md): moderation's
 * `comment.moderated`. The comments service's `comment.updated` sets the text;
 * new text is undecided (it carries `pending`), and an update that only
 * restates a decision (same text) changes no status here. A decision applies
 * only to the text it judged: about a version not seen yet → wait; about text
 * edited since (below `bodyVersion`) → kept as applied, status unchanged.
 *
 * A comment needs its post: one for a post not seen yet waits; one for a
 * deleted post is dropped (the post's deletion removed its comments for good).
 * `post` is asked only when the comment is not there (or is being created).
 */
export function projectComment(
  current: StoredComment | undefined,
  post: PostState | undefined,
  event: CommentEvent,
): Projection<StoredComment, CommentEffects> {
  const id = commentIdOf(event);
  if (event.subject === 'comment.created') {
    if (post === 'unknown') return wait(`post ${event.data.postId} of comment ${id} is not known yet`);
    if (post === 'deleted') return skip;
  } else if (!current) {
    return post === 'deleted' ? skip : wait(`comment ${id} is not known yet (${event.subject} v${event.version})`);
  }
  const after = event.subject === 'comment.moderated' ? decided(current!, event) : changed(current, event);
  if ('outcome' in after) return after;
  return { outcome: 'apply', after, effects: { approved: isApproved(after), wasApproved: isApproved(current) } };
}

function changed(
  current: StoredComment | undefined,
  event: Exclude<CommentEvent, EventEnvelope<'comment.moderated'>>,
): StoredComment | { outcome: 'skip' } | { outcome: 'wait'; reason: string } {
  const order = inOrder(current?.version, event.version, `comment ${event.aggregateId}`);
  if (order !== 'apply') return order === 'skip' ? skip : order;
  const version = event.version;
  if (event.subject === 'comment.created') {
    if (current) return wait(`comment ${event.aggregateId}: creation at v${version} after v${current.version}`);
    const { data } = event;
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
      version,
      bodyVersion: version,
      moderation: {},
      deleted: false,
    };
  }
  if (!current) return wait(`comment ${event.aggregateId} is not known yet (${event.subject} v${version})`);
  if (event.subject === 'comment.deleted') return { ...current, deleted: true, body: '', reason: '', version };
  const { data } = event;
  const newText = data.body !== current.body;
  return {
    ...current,
    body: data.body,
    authorUsername: data.authorUsername,
    updatedAt: new Date(data.updatedAt),
    version,
    // New text awaits a decision about it (the version that wrote it is the one decisions name).
    ...(newText ? { status: data.status, reason: data.reason ?? '', bodyVersion: version } : {}),
  };
}

function decided(
  current: StoredComment,
  event: EventEnvelope<'comment.moderated'>,
): StoredComment | { outcome: 'skip' } | { outcome: 'wait'; reason: string } {
  const { data } = event;
  const key = moderationKeyOf(event.aggregateId);
  const order = inOrder(current.moderation?.[key], event.version, `moderation ${event.aggregateId}`);
  if (order !== 'apply') return order === 'skip' ? skip : order;
  const relevance = decisionRelevance(current, data.commentVersion);
  if (relevance === 'wait') {
    return wait(`decision about comment ${data.commentId} v${data.commentVersion}: comment is at v${current.version}`);
  }
  return {
    ...current,
    moderation: { ...current.moderation, [key]: event.version },
    // Applied to a deleted comment too, keeping its reason cleared, so the outcome is the
    // same whichever of the deletion and the decision arrives first.
    ...(relevance === 'apply' ? { status: data.status, reason: current.deleted ? '' : data.reason } : {}),
  };
}

/**
 * Whether a decision about `judgedVersion` applies to the comment as we have it: `wait` (about a
 * version not seen yet), `stale` (the text changed after the judged version: a decision about older
 * text must never approve newer text), or `apply` (the judged text is the current one; a status-only
 * update may have raised the version since, so "current text" is `bodyVersion`, not only the latest).
 */
export function decisionRelevance(
  comment: { version: number; bodyVersion: number },
  judgedVersion: number,
): 'wait' | 'stale' | 'apply' {
  if (judgedVersion > comment.version) return 'wait';
  if (judgedVersion < comment.bodyVersion) return 'stale';
  return 'apply';
}

/** The answers a comment change may have made stale: its post's page, and when the count moved, the post everywhere. */
export function commentLabels(postId: string, countChanged: boolean): ChangeLabels {
  return countChanged ? [changeLabel.postPage(postId), changeLabel.post(postId)] : [changeLabel.postPage(postId)];
}
