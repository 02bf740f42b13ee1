import { aggregateTypeOf, type AnyEventEnvelope } from '@postline/common';
import type { mongo } from 'mongoose';
import { fieldKey } from '../data-access/field-key';
import { ListCounts, type MembershipChange } from '../data-access/list-counts';
import type { StoredComment, StoredPost, ReadModels, StoredUser } from '../data-access/read-models';
import { commentIdOf, projectComment, type CommentEvent } from '../domain/projections/comments';
import { listsChangeOf, projectPost, type PostEvent } from '../domain/projections/posts';
import type { Projection } from '../domain/projections/projection';
import { followerCountsOf, projectUser, type UserEvent } from '../domain/projections/users';
import { isApproved } from '../domain/visibility';
import type { ReplayMemory, WrittenIds } from './written-ids';

/** An event with its stream sequence. */
export interface Sequenced {
  seq: number;
  event: AnyEventEnvelope;
}

export interface FoldOutcome {
  /** Events applied or found to be duplicates. */
  applied: number;
  /** Events that cannot be applied yet, with every later one of their aggregate: for the live driver, after the stream. */
  deferred: Sequenced[];
}

/**
 * The replay driver. Folds one batch of a stream's events into the read models:
 * one read of each document the batch touches, the events applied to them in
 * memory in order through the projections the live driver runs
 * (domain/projections), then one unordered
 * bulk write of the documents and one of the counts derived from them (read,
 * changed in memory, written whole). Events of one aggregate keep their order:
 * once one has to wait, the aggregate's later events wait behind it.
 *
 * The replay owns the read models (its lease keeps other replicas out, and it
 * checks the lease before every batch), so its writes are by id alone, without
 * the live path's version guards; the counts come from what changed between
 * the documents as read and as written, so a batch is not repeatable, and a
 * replay that failed half-way starts again from empty (see ReplayLease). Both
 * choices also suit the local MongoDB stand-in, which uses the `_id` index only
 * for filters on `_id` alone.
 */
export interface StreamFold {
  apply(batch: readonly Sequenced[]): Promise<FoldOutcome>;
}

/**
 * The batch with each aggregate's events lowest version first, in the places
 * the aggregate's events hold in the stream (a stream may hold them out of
 * order; the live listener orders its lanes the same way). Events of different
 * aggregates keep their stream order: a comment and the decisions about it are
 * different aggregates.
 */
function inVersionOrder(batch: readonly Sequenced[]): Sequenced[] {
  // The live listener's lanes are keyed the same way: a comment and moderation's record of it share an id.
  const keyOf = ({ event }: Sequenced) => `${aggregateTypeOf(event.subject)}:${event.aggregateId}`;
  const byAggregate = new Map<string, Sequenced[]>();
  for (const item of batch) {
    const events = byAggregate.get(keyOf(item));
    if (events) events.push(item);
    else byAggregate.set(keyOf(item), [item]);
  }
  for (const events of byAggregate.values()) events.sort((a, b) => a.event.version - b.event.version || a.seq - b.seq);
  const next = new Map<string, number>();
  return batch.map((item) => {
    const key = keyOf(item);
    const at = next.get(key) ?? 0;
    next.set(key, at + 1);
    return byAggregate.get(key)![at]!;
  });
}

interface Folded<T> {
  /** As read at the start of the batch (undefined: not there). */
  before: T | undefined;
  after: T | undefined;
  /** The events applied to it in this batch. */
  events: AnyEventEnvelope[];
}

/**
 * Applies the batch's events to their documents in memory through `project`;
 * an event that has to wait makes its aggregate wait (`blocked`) for the live
 * driver, after the stream.
 */
function fold<T>(
  batch: readonly Sequenced[],
  blocked: Set<string>,
  loaded: readonly (T & { _id: string })[],
  ids: readonly string[],
  idOf: (event: AnyEventEnvelope) => string,
  project: (event: AnyEventEnvelope, current: T | undefined) => Projection<T, unknown>,
): FoldOutcome & { folded: Map<string, Folded<T>> } {
  const folded = new Map<string, Folded<T>>(ids.map((id) => [id, { before: undefined, after: undefined, events: [] }]));
  for (const doc of loaded) {
    const entry = folded.get(doc._id)!;
    entry.before = entry.after = doc;
  }
  const deferred: Sequenced[] = [];
  let applied = 0;
  for (const item of inVersionOrder(batch)) {
    const id = idOf(item.event);
    const entry = folded.get(id);
    if (!entry || blocked.has(id)) {
      deferred.push(item);
      continue;
    }
    const projection = project(item.event, entry.after);
    if (projection.outcome === 'wait') {
      blocked.add(id);
      deferred.push(item);
      continue;
    }
    if (projection.outcome === 'apply') {
      entry.after = projection.after;
      entry.events.push(item.event);
    }
    applied++;
  }
  return { applied, deferred: deferred.sort((a, b) => a.seq - b.seq), folded };
}

/** Writes the documents that changed, whole, by id. */
async function writeChanged<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  folded: Map<string, Folded<T>>,
): Promise<void> {
  const ops = [...folded.values()]
    .filter((f) => f.after && f.after !== f.before)
    .map(({ before, after }) =>
      before
        ? { replaceOne: { filter: { _id: after!._id } as mongo.Filter<T>, replacement: after! } }
        : { insertOne: { document: after! as mongo.OptionalUnlessRequiredId<T> } },
    );
  if (ops.length > 0) await collection.bulkWrite(ops as mongo.AnyBulkWriteOperation<T>[], { ordered: false });
}

/**
 * One batch folded into the documents of one collection: read those the replay may have written
 * (and that no earlier event of theirs made wait), then fold.
 */
async function foldInto<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  written: WrittenIds<unknown>,
  blocked: Set<string>,
  batch: readonly Sequenced[],
  idOf: (event: AnyEventEnvelope) => string,
  project: (event: AnyEventEnvelope, current: T | undefined) => Projection<T, unknown>,
) {
  const ids = [...new Set(batch.map((s) => idOf(s.event)).filter((id) => !blocked.has(id)))];
  const loaded = await readByIds(collection, written.toRead(ids));
  return fold(batch, blocked, loaded, ids, idOf, project);
}

const aggregateIdOf = (event: AnyEventEnvelope) => event.aggregateId;

export function userFold(models: ReadModels, memory: ReplayMemory): StreamFold {
  const blocked = new Set<string>();
  const { users } = models;
  return {
    async apply(batch) {
      const outcome = await foldInto<StoredUser>(users, memory.users, blocked, batch, aggregateIdOf, (event, current) =>
        projectUser(current, event as UserEvent),
      );
      await writeChanged(users, outcome.folded);
      // Follower counts of everyone the batch created, followed or unfollowed, from the follows now written.
      const affected = new Set<string>();
      for (const [id, { after, events }] of outcome.folded) {
        if (after) memory.users.remember(id, true);
        for (const event of events) for (const followee of followerCountsOf(event as UserEvent)) affected.add(followee);
      }
      if (affected.size > 0) await setFollowerCounts(users, [...affected]);
      return outcome;
    },
  };
}

async function setFollowerCounts(users: mongo.Collection<StoredUser>, ids: string[]): Promise<void> {
  const wanted = new Set(ids);
  const [followers, current] = await Promise.all([
    users.find({ following: { $in: ids } }, { projection: { following: 1 } }).toArray(),
    users.find({ _id: { $in: ids } }, { projection: { followerCount: 1 } }).toArray(),
  ]);
  const counted = new Map<string, number>();
  for (const { following } of followers) {
    for (const id of following) if (wanted.has(id)) counted.set(id, (counted.get(id) ?? 0) + 1);
  }
  const ops = current
    .filter((u) => u.followerCount !== (counted.get(u._id) ?? 0))
    .map((u) => ({
      updateOne: { filter: { _id: u._id }, update: { $set: { followerCount: counted.get(u._id) ?? 0 } } },
    }));
  if (ops.length > 0) await users.bulkWrite(ops, { ordered: false });
}

export function postFold(models: ReadModels, memory: ReplayMemory): StreamFold {
  const blocked = new Set<string>();
  const { posts, comments } = models;
  const lists = new ListCounts(models.listCounts);
  return {
    async apply(batch) {
      const outcome = await foldInto<StoredPost>(posts, memory.posts, blocked, batch, aggregateIdOf, (event, current) =>
        projectPost(current, event as PostEvent),
      );
      const memberships: MembershipChange[] = [];
      const deleted: string[] = [];
      for (const [id, { before, after }] of outcome.folded) {
        if (!after) continue;
        memory.posts.remember(id, { deleted: after.deleted });
        if (before === after) continue;
        const change = listsChangeOf(before, after);
        if (change.add.length + change.remove.length > 0) memberships.push({ postId: id, ...change });
        if (after.deleted && !before?.deleted) deleted.push(id);
      }
      // Different collections: written at once.
      await Promise.all([
        writeChanged(posts, outcome.folded),
        lists.applyAsOnlyWriter(memberships),
        deleted.length > 0 ? comments.deleteMany({ postId: { $in: deleted } }) : undefined,
      ]);
      return outcome;
    },
  };
}

/** Comments, and the approved counts of their posts (the posts are all replayed before the comments). */
export function commentFold(models: ReadModels, memory: ReplayMemory): StreamFold {
  const blocked = new Set<string>();
  const { comments, posts } = models;
  return {
    async apply(batch) {
      // The posts' states as the posts' replay left them, from memory where it remembers them.
      const postIds = [...new Set(batch.map((s) => (s.event.data as { postId: string }).postId))];
      const unknownPosts = memory.posts.authoritative ? [] : postIds.filter((id) => !memory.posts.get(id));
      for (const post of await readByIds(posts, unknownPosts, { deleted: 1 }))
        memory.posts.remember(post._id, { deleted: post.deleted });
      const outcome = await foldInto<StoredComment>(
        comments,
        memory.comments,
        blocked,
        batch,
        commentIdOf,
        (event, current) => {
          const post = memory.posts.get((event.data as { postId: string }).postId);
          return projectComment(current, !post ? 'unknown' : post.deleted ? 'deleted' : 'live', event as CommentEvent);
        },
      );
      for (const [id, { after }] of outcome.folded) if (after) memory.comments.remember(id, true);
      await Promise.all([
        writeChanged(comments, outcome.folded),
        writeApprovedCounts(posts, outcome.folded, (id) => memory.posts.get(id)?.deleted === false),
      ]);
      return outcome;
    },
  };
}

/** Each post counts the comments that became approved in the batch and no longer those that stopped being. */
async function writeApprovedCounts(
  posts: mongo.Collection<StoredPost>,
  folded: Map<string, Folded<StoredComment>>,
  isLive: (postId: string) => boolean,
): Promise<void> {
  const changed = new Map<string, { add: string[]; remove: string[] }>();
  for (const { before, after } of folded.values()) {
    if (!after || isApproved(before) === isApproved(after) || !isLive(after.postId)) continue;
    const entry = changed.get(after.postId) ?? { add: [], remove: [] };
    (isApproved(after) ? entry.add : entry.remove).push(`approvedComments.${fieldKey(after._id)}`);
    changed.set(after.postId, entry);
  }
  if (changed.size === 0) return;
  // The comments were read (or known new) in this batch, so each change is real: no condition needed.
  await posts.bulkWrite(
    [...changed].map(([id, { add, remove }]) => ({
      updateOne: {
        filter: { _id: id },
        update: {
          ...(add.length ? { $set: Object.fromEntries(add.map((k) => [k, 1])) } : {}),
          ...(remove.length ? { $unset: Object.fromEntries(remove.map((k) => [k, ''])) } : {}),
          $inc: { commentCount: add.length - remove.length },
        } as mongo.UpdateFilter<StoredPost>,
      },
    })),
    { ordered: false },
  );
}

/** Documents by id; none for no ids. */
async function readByIds<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  ids: readonly string[],
  projection?: mongo.Document,
): Promise<T[]> {
  if (ids.length === 0) return [];
  return (await collection.find({ _id: { $in: ids } } as mongo.Filter<T>, { projection }).toArray()) as T[];
}
