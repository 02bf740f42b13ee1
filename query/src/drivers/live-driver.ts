import {
  applyInOrder,
  RetryLaterError,
  type AnyEventEnvelope,
  type ApplyOutcome,
  type EventEnvelope,
  type Subject,
} from '@postline/common';
import type { mongo } from 'mongoose';
import { updateOf } from '../data-access/document-update';
import { ListCounts } from '../data-access/list-counts';
import { recountFollowers, syncApprovedComment } from '../data-access/maintained-counts';
import type { ReadModels, StoredComment } from '../data-access/read-models';
import type { ChangeLabels } from '../domain/change-labels';
import { listChange, listsOf } from '../domain/post-lists';
import {
  commentIdOf,
  commentLabels,
  moderationKeyOf,
  projectComment,
  type CommentEvent,
  type PostState,
} from '../domain/projections/comments';
import { projectPost, redeliveredLabels, type PostEvent } from '../domain/projections/posts';
import type { Projection } from '../domain/projections/projection';
import { followerCountsOf, projectUser, userLabels, type UserEvent } from '../domain/projections/users';

/**
 * Applies one event to the read models, idempotently and in order, or throws RetryLaterError.
 * Returns the labels of the cached answers the event may have changed; a redelivered event
 * returns them too, since the first delivery may have written and then died before announcing.
 */
export interface LiveDriver {
  apply(event: AnyEventEnvelope): Promise<ChangeLabels>;
}

function decided<T, E>(projection: Projection<T, E>): Exclude<Projection<T, E>, { outcome: 'wait' }> {
  if (projection.outcome === 'wait') throw new RetryLaterError(projection.reason);
  return projection;
}

/**
 * The document written with common's order guard: a creation inserted, a change as the fields it
 * changed (`always`: fields set even if they look unchanged, since another lane may change them).
 */
function write<T extends { _id: string; version: number }>(
  collection: mongo.Collection<T>,
  event: EventEnvelope<Subject>,
  before: T | null,
  after: T,
  { guard, always }: { guard?: mongo.Filter<T>; always?: Partial<T> } = {},
): Promise<ApplyOutcome> {
  if (!before) return applyInOrder(collection, event, { create: () => after });
  const update = updateOf(before, after);
  if (always) update.$set = { ...update.$set, ...always } as typeof update.$set;
  return applyInOrder(collection, event, { update, guard });
}

/**
 * The document an event applies to; none read for a creation: its insert finds a duplicate by
 * itself (applyInOrder), which saves a read on the most frequent event of all, a new comment.
 */
function load<T extends { _id: string }>(collection: mongo.Collection<T>, id: string, event: { subject: string }) {
  return event.subject.endsWith('.created')
    ? null
    : (collection.findOne({ _id: id } as mongo.Filter<T>) as Promise<T | null>);
}

/**
 * The live driver: for each event, loads what its projection needs, runs it
 * (domain/projections), writes the result with the common order guard, then
 * keeps the counts the effects name. An event found applied already (a
 * redelivery; the first delivery may have died between its writes) repairs
 * the counts from the documents as they are.
 */
export function liveDriver(models: ReadModels): LiveDriver {
  const { users, posts, comments } = models;
  const lists = new ListCounts(models.listCounts);

  async function user(event: UserEvent): Promise<ChangeLabels> {
    const current = await load(users, event.aggregateId, event);
    const projection = decided(projectUser(current ?? undefined, event));
    if (projection.outcome === 'apply') await write(users, event, current, projection.after);
    // Every delivery recounts: the first may have died before it did.
    for (const id of followerCountsOf(event)) await recountFollowers(users, id);
    return userLabels(event);
  }

  /** Every list membership of the post made right from its current state; the lists it was in are unknown. */
  async function repairLists(event: PostEvent): Promise<ChangeLabels> {
    const id = event.aggregateId;
    const [current, counted] = await Promise.all([
      posts.findOne({ _id: id }, { projection: { deleted: 1, published: 1, authorId: 1, tags: 1, authorUsername: 1 } }),
      lists.listsContaining(id),
    ]);
    await lists.apply([{ postId: id, ...listChange(counted, current ? listsOf(current) : []) }]);
    return redeliveredLabels(event, current);
  }

  async function post(event: PostEvent): Promise<ChangeLabels> {
    const id = event.aggregateId;
    const current = await load(posts, id, event);
    const projection = decided(projectPost(current ?? undefined, event));
    let labels: ChangeLabels;
    // A tombstone's comment counts are cleared, whatever the comments' lane counted since the read.
    const always = { approvedComments: {}, commentCount: 0 };
    if (
      projection.outcome === 'apply' &&
      (await write(posts, event, current, projection.after, projection.after.deleted ? { always } : {})) === 'applied'
    ) {
      await lists.apply([{ postId: id, ...projection.effects.lists }]);
      labels = projection.effects.labels;
    } else {
      // A like moves the post between no lists.
      labels =
        event.subject === 'post.liked' || event.subject === 'post.unliked'
          ? redeliveredLabels(event, null)
          : await repairLists(event);
    }
    // Also on a redelivered duplicate: the process may have died between the
    // tombstone and this cascade, and removing comments twice is harmless.
    if (event.subject === 'post.deleted') await comments.deleteMany({ postId: id });
    return labels;
  }

  async function postState(postId: string): Promise<PostState> {
    const found = await posts.findOne({ _id: postId }, { projection: { deleted: 1 } });
    return !found ? 'unknown' : found.deleted ? 'deleted' : 'live';
  }

  /**
   * Syncs the post's count (`approved`: the comment's state as just written, undefined after a
   * redelivery: read) and names what changed; an unknown state counts as changed, since the
   * first delivery may have changed the count unannounced.
   */
  async function counted(target: { id: string; postId: string }, approved?: boolean): Promise<ChangeLabels> {
    const changed = await syncApprovedComment(posts, comments, target, approved);
    return commentLabels(target.postId, changed || approved === undefined);
  }

  async function comment(event: CommentEvent): Promise<ChangeLabels> {
    const target = { id: commentIdOf(event), postId: event.data.postId };
    const current = await load(comments, target.id, event);
    const post = event.subject === 'comment.created' || !current ? await postState(target.postId) : undefined;
    const projection = decided(projectComment(current ?? undefined, post, event));
    if (projection.outcome === 'skip') return post === 'deleted' ? [] : counted(target);
    if (event.subject === 'comment.moderated') {
      // A decision has versions of its own: guarded on the comment's version and on its record's.
      const key = `moderation.${moderationKeyOf(event.aggregateId)}`;
      const applied = current!.moderation?.[moderationKeyOf(event.aggregateId)];
      const result = await comments.updateOne(
        {
          _id: target.id,
          version: current!.version,
          [key]: applied ?? { $exists: false },
        } as mongo.Filter<StoredComment>,
        updateOf(current!, projection.after),
      );
      if (result.matchedCount === 0)
        throw new RetryLaterError(`comment ${target.id} changed while applying a decision`);
    } else {
      // A write that changes the status or deletes is guarded on the status its effects were computed
      // from: a decision applied meanwhile (it leaves the version alone) makes it retry on the comment as it is.
      const after = projection.after;
      const flips = current && (after.status !== current.status || after.deleted !== current.deleted);
      const guard = flips ? { status: current.status } : undefined;
      if ((await write(comments, event, current, after, { guard })) !== 'applied') return counted(target);
      // The post may have been deleted (and its comments removed) between the check and the insert: no orphan.
      if (!current && (await postState(target.postId)) === 'deleted') {
        await comments.deleteOne({ _id: target.id });
        return [];
      }
    }
    const { approved, wasApproved } = projection.effects;
    return approved === wasApproved ? commentLabels(target.postId, false) : counted(target, approved);
  }

  return {
    apply: (event) => {
      const family = event.subject.slice(0, event.subject.indexOf('.'));
      if (family === 'user') return user(event as UserEvent);
      if (family === 'post') return post(event as PostEvent);
      return comment(event as CommentEvent);
    },
  };
}
