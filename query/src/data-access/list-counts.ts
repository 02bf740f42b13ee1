import { isDuplicateKeyError } from '@postline/common';
import type { mongo } from 'mongoose';
import type { ListCount } from './read-models';
import { fieldKey } from './field-key';

/**
 * Buckets per list: the list of all posts and a tag's list, which may grow
 * without bound, are spread over 16 documents; an author's list is one.
 */
const bucketsOf = (list: string): number => (list.startsWith('author:') ? 1 : 16);

/** A post to add to some lists and remove from others. */
export interface MembershipChange {
  postId: string;
  add: readonly string[];
  remove: readonly string[];
}

/** FNV-1a: a stable, cheap spread of post ids over the buckets. */
function hashOf(postId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < postId.length; i++) hash = Math.imul(hash ^ postId.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

const bucketId = (list: string, bucket: number) => `${list}#${bucket}`;
const bucketOf = (list: string, postHash: number) => bucketId(list, postHash % bucketsOf(list));

function describe(list: string): Pick<ListCount, 'list' | 'kind' | 'key'> {
  const colon = list.indexOf(':');
  if (colon === -1) return { list, kind: 'all', key: '' };
  return { list, kind: list.slice(0, colon) as ListCount['kind'], key: list.slice(colon + 1) };
}

type Op = mongo.AnyBulkWriteOperation<ListCount>;

/** Counts a bucket's new members, only if none of them is counted yet (upserting the bucket). */
function addOp(id: string, list: string, members: string[]): Op {
  return {
    updateOne: {
      filter: { _id: id, ...Object.fromEntries(members.map((m) => [`members.${m}`, { $exists: false }])) },
      update: {
        $set: { ...describe(list), ...Object.fromEntries(members.map((m) => [`members.${m}`, 1])) },
        $inc: { count: members.length },
      } as mongo.UpdateFilter<ListCount>,
      upsert: true,
    },
  };
}

/** Uncounts members of a bucket, only if all of them are counted. */
function removeOp(id: string, members: string[]): Op {
  return {
    updateOne: {
      filter: { _id: id, ...Object.fromEntries(members.map((m) => [`members.${m}`, { $exists: true }])) },
      update: {
        $unset: Object.fromEntries(members.map((m) => [`members.${m}`, ''])),
        $inc: { count: -members.length },
      } as mongo.UpdateFilter<ListCount>,
    },
  };
}

/**
 * The maintained totals of the post lists. Every change is conditional on the
 * post's membership in the bucket, in one single-document update, so applying
 * a change twice (a redelivered event, a replay over a partly built database)
 * counts nothing twice, and two writers never lose each other's counts.
 */
export class ListCounts {
  constructor(private readonly collection: mongo.Collection<ListCount>) {}

  async apply(changes: readonly MembershipChange[]): Promise<void> {
    const adds = new Map<string, { list: string; members: string[] }>();
    const removes = new Map<string, { list: string; members: string[] }>();
    for (const { postId, add, remove } of changes) {
      const member = fieldKey(postId);
      const hash = hashOf(postId);
      for (const [lists, into] of [
        [add, adds],
        [remove, removes],
      ] as const) {
        for (const list of lists) {
          const id = bucketOf(list, hash);
          const entry = into.get(id) ?? { list, members: [] };
          entry.members.push(member);
          into.set(id, entry);
        }
      }
    }
    const grouped: Op[] = [
      ...[...adds].map(([id, { list, members }]) => addOp(id, list, members)),
      ...[...removes].map(([id, { members }]) => removeOp(id, members)),
    ];
    if (grouped.length === 0) return;
    let allApplied = false;
    try {
      const result = await this.collection.bulkWrite(grouped, { ordered: false });
      allApplied = result.matchedCount + result.upsertedCount === grouped.length;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    if (!allApplied) {
      // Some member was counted (or uncounted) already, or two writers created a
      // bucket at once: go member by member; each step is idempotent.
      const single: Op[] = [
        ...[...adds].flatMap(([id, { list, members }]) => members.map((m) => addOp(id, list, [m]))),
        ...[...removes].flatMap(([id, { members }]) => members.map((m) => removeOp(id, [m]))),
      ];
      for (let attempt = 1; ; attempt++) {
        try {
          await this.collection.bulkWrite(single, { ordered: false });
          break;
        } catch (err) {
          // A second duplicate key means the bucket exists and already counts the member.
          if (!isDuplicateKeyError(err)) throw err;
          if (attempt === 2) break;
        }
      }
    }
    if (removes.size > 0) await this.collection.deleteMany({ _id: { $in: [...removes.keys()] }, count: { $lte: 0 } });
  }

  /**
   * The same changes for a writer that has the lists to itself (a replay
   * under its lease): one read of the buckets touched, the changes made in
   * memory, each bucket written whole by id (or deleted once empty).
   */
  async applyAsOnlyWriter(changes: readonly MembershipChange[]): Promise<void> {
    const touched = new Map<string, { list: string; add: string[]; remove: string[] }>();
    for (const { postId, add, remove } of changes) {
      const hash = hashOf(postId);
      const member = fieldKey(postId);
      for (const [lists, side] of [
        [add, 'add'],
        [remove, 'remove'],
      ] as const) {
        for (const list of lists) {
          const id = bucketOf(list, hash);
          const entry = touched.get(id) ?? { list, add: [], remove: [] };
          entry[side].push(member);
          touched.set(id, entry);
        }
      }
    }
    if (touched.size === 0) return;
    const current = new Map(
      (await this.collection.find({ _id: { $in: [...touched.keys()] } }).toArray()).map((b) => [b._id, b]),
    );
    const ops: mongo.AnyBulkWriteOperation<ListCount>[] = [];
    for (const [id, { list, add, remove }] of touched) {
      const members = { ...(current.get(id)?.members ?? {}) };
      for (const m of add) members[m] = 1;
      for (const m of remove) delete members[m];
      const count = Object.keys(members).length;
      ops.push(
        count === 0
          ? { deleteOne: { filter: { _id: id } } }
          : {
              replaceOne: {
                filter: { _id: id },
                replacement: { ...describe(list), count, members },
                upsert: true,
              },
            },
      );
    }
    await this.collection.bulkWrite(ops, { ordered: false });
  }

  /** The number of live posts in a list. */
  async total(list: string): Promise<number> {
    return this.totalOf([list]);
  }

  /** The number of live posts in several disjoint lists (a feed: several authors). */
  async totalOf(lists: readonly string[]): Promise<number> {
    if (lists.length === 0) return 0;
    const ids = lists.flatMap((list) => Array.from({ length: bucketsOf(list) }, (_, b) => bucketId(list, b)));
    const buckets = await this.collection.find({ _id: { $in: ids } }, { projection: { count: 1 } }).toArray();
    return buckets.reduce((sum, b) => sum + b.count, 0);
  }

  /** Tags with their number of live posts, most used first. */
  async topTags(limit: number): Promise<{ tag: string; count: number }[]> {
    const rows = await this.collection
      .aggregate<{ _id: string; count: number }>([
        { $match: { kind: 'tag' } },
        { $project: { key: 1, count: 1 } },
        { $group: { _id: '$key', count: { $sum: '$count' } } },
        { $match: { count: { $gt: 0 } } },
        { $sort: { count: -1, _id: 1 } },
        { $limit: limit },
      ])
      .toArray();
    return rows.map((r) => ({ tag: r._id, count: r.count }));
  }

  /** Every list that counts the post (a scan: only to repair after a redelivery, whose former lists are unknown). */
  async listsContaining(postId: string): Promise<string[]> {
    const buckets = await this.collection
      .find({ [`members.${fieldKey(postId)}`]: { $exists: true } } as mongo.Filter<ListCount>, {
        projection: { list: 1 },
      })
      .toArray();
    return [...new Set(buckets.map((b) => b.list))];
  }
}
