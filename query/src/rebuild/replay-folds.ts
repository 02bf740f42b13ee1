import {
  aggregateTypeOf,
  decideApply,
  RetryLaterError,
  type AnyEventEnvelope,
  type DocChange,
  type EventEnvelope,
} from '@postline/common';
import type { mongo } from 'mongoose';
import { applyUpdate } from '../data-access/apply-update';
import { fieldKey } from '../data-access/field-key';
import { ListCounts, type MembershipChange } from '../data-access/list-counts';
import { isApproved } from '../domain/visibility';
import type { StoredComment, StoredPost, ReadModels, StoredUser } from '../data-access/read-models';
import { listChange, listsOf } from '../domain/post-lists';
import { commentTombstone, commentUpdate, decisionUpdate, newComment } from '../entry-points/events/comment-handlers';
import { postChange } from '../entry-points/events/post-handlers';
import { userChange } from '../entry-points/events/user-handlers';
import type { ReplayMemory } from './written-ids';

/** An event with its stream sequence. */
export interface Sequenced {
  seq: number;
  event: AnyEventEnvelope;
}

export interface FoldOutcome {
  /** Events applied or found to be duplicates. */
  applied: number;
  /** Events that cannot be applied yet, with every later one of their aggregate: for the live handlers, after the stream. */
  deferred: Sequenced[];
}

/**
 * Folds one batch of a stream's events into the read models: one read of each
 * document the batch touches, the events applied to them in memory in order
 * with the live handlers' own rules and update documents, then one unordered
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
 * Applies the batch's events to their documents in memory. `step` returns the
 * document after one event, undefined for nothing to do, or throws
 * RetryLaterError: the aggregate then waits (`blocked`) for the handlers.
 */
function fold<T>(
  batch: readonly Sequenced[],
  blocked: Set<string>,
  loaded: readonly (T & { _id: string })[],
  ids: readonly string[],
  idOf: (event: AnyEventEnvelope) => string,
  step: (event: AnyEventEnvelope, current: T | undefined) => T | undefined,
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
    try {
      const next = step(item.event, entry.after);
      if (next) {
        entry.after = next;
        entry.events.push(item.event);
      }
      applied++;
    } catch (err) {
      if (!(err instanceof RetryLaterError)) throw err;
      blocked.add(id);
      deferred.push(item);
    }
  }
  return { applied, deferred: deferred.sort((a, b) => a.seq - b.seq), folded };
}

/** One event's change to a versioned document, as applyInOrder makes it. */
function versionedStep<T extends { version: number }>(changeOf: (event: AnyEventEnvelope) => DocChange<T>) {
  return (event: AnyEventEnvelope, doc: T | undefined): T | undefined => {
    if (decideApply(doc?.version, event.version, `${event.subject} ${event.aggregateId}`) === 'already-applied')
      return undefined;
    const change = changeOf(event);
    // decideApply said apply: a creation of a missing document at 0, an update at the next version.
    if ('create' in change !== !doc) throw new RetryLaterError(`${event.subject} v${event.version} cannot apply yet`);
    return 'create' in change ? change.create() : { ...applyUpdate(doc!, change.update), version: event.version };
  };
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

const aggregateIds = (
  batch: readonly Sequenced[],
  blocked: Set<string>,
  idOf = (e: AnyEventEnvelope) => e.aggregateId,
) => [...new Set(batch.map((s) => idOf(s.event)).filter((id) => !blocked.has(id)))];

export function userFold(models: ReadModels, memory: ReplayMemory): StreamFold {
  const blocked = new Set<string>();
  const { users } = models;
  const step = versionedStep<StoredUser>((event) => userChange(event as Parameters<typeof userChange>[0]));
  return {
    async apply(batch) {
      const ids = aggregateIds(batch, blocked);
      const loaded = await readByIds(users, memory.users.toRead(ids));
      const outcome = fold(batch, blocked, loaded, ids, (e) => e.aggregateId, step);
      await writeChanged(users, outcome.folded);
      for (const [id, { after }] of outcome.folded) if (after) memory.users.remember(id, true);
      // Follower counts of everyone the batch created, followed or unfollowed, from the follows now written.
      const affected = new Set<string>();
      for (const [id, { events }] of outcome.folded) {
        for (const event of events) {
          if (event.subject === 'user.created') affected.add(id);
          else if (event.subject === 'user.followed' || event.subject === 'user.unfollowed')
            affected.add((event.data as { followeeId: string }).followeeId);
        }
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
  const step = versionedStep<StoredPost>((event) => postChange(event as Parameters<typeof postChange>[0]));
  return {
    async apply(batch) {
      const ids = aggregateIds(batch, blocked);
      const loaded = await readByIds(posts, memory.posts.toRead(ids));
      const outcome = fold(batch, blocked, loaded, ids, (e) => e.aggregateId, step);
      const memberships: MembershipChange[] = [];
      const deleted: string[] = [];
      for (const [id, { before, after }] of outcome.folded) {
        if (!after) continue;
        memory.posts.remember(id, { deleted: after.deleted });
        if (before === after) continue;
        const change = listChange(before ? listsOf(before) : [], listsOf(after));
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

type CommentEvent =
  | EventEnvelope<'comment.created'>
  | EventEnvelope<'comment.updated'>
  | EventEnvelope<'comment.deleted'>
  | EventEnvelope<'comment.moderated'>;

const commentIdOf = (event: AnyEventEnvelope): string =>
  event.subject === 'comment.moderated' ? (event.data as { commentId: string }).commentId : event.aggregateId;

/** Comments, and the approved counts of their posts (the posts are all replayed before the comments). */
export function commentFold(models: ReadModels, memory: ReplayMemory): StreamFold {
  const blocked = new Set<string>();
  const { comments, posts } = models;
  return {
    async apply(batch) {
      const ids = aggregateIds(batch, blocked, commentIdOf);
      const postIds = [...new Set(batch.map((s) => (s.event.data as { postId: string }).postId))];
      // The posts' states as the posts' replay left them, from memory where it remembers them.
      const unknownPosts = memory.posts.authoritative ? [] : postIds.filter((id) => !memory.posts.get(id));
      const [loaded, postDocs] = await Promise.all([
        readByIds(comments, memory.comments.toRead(ids)),
        readByIds(posts, unknownPosts, { deleted: 1 }),
      ]);
      for (const post of postDocs) memory.posts.remember(post._id, { deleted: post.deleted });
      const outcome = fold<StoredComment>(batch, blocked, loaded, ids, commentIdOf, (event, current) => {
        const post = memory.posts.get((event.data as { postId: string }).postId);
        return foldComment(event as CommentEvent, current, !post ? 'unknown' : post.deleted ? 'deleted' : 'live');
      });
      for (const [id, { after }] of outcome.folded) if (after) memory.comments.remember(id, true);
      await Promise.all([
        writeChanged(comments, outcome.folded),
        writeApprovedCounts(posts, outcome.folded, (id) => memory.posts.get(id)?.deleted === false),
      ]);
      return outcome;
    },
  };
}

/**
 * One comment event applied in memory, with the live handlers' rules: the new
 * state, undefined for nothing to do (a duplicate, a comment of a deleted
 * post), or RetryLaterError to wait.
 */
function foldComment(event: CommentEvent, current: StoredComment | undefined, post: string): StoredComment | undefined {
  if (event.subject === 'comment.created') {
    if (post === 'unknown') throw new RetryLaterError(`post ${event.data.postId} is not known yet`);
    if (post === 'deleted') return undefined;
    if (decideApply(current?.version, event.version, `comment ${event.aggregateId}`) === 'already-applied')
      return undefined;
    return newComment(event.data);
  }
  if (!current) {
    if (post === 'deleted') return undefined;
    throw new RetryLaterError(`comment of ${event.subject} is not known yet`);
  }
  if (event.subject === 'comment.moderated') {
    const decision = decisionUpdate(event, current);
    if ('wait' in decision) throw new RetryLaterError(decision.wait);
    return 'skip' in decision ? undefined : applyUpdate(current, decision.update);
  }
  if (decideApply(current.version, event.version, `comment ${event.aggregateId}`) === 'already-applied')
    return undefined;
  const update = event.subject === 'comment.updated' ? commentUpdate(event, current) : commentTombstone;
  return { ...applyUpdate(current, update), version: event.version };
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
