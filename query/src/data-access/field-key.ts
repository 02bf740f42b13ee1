import { decideApply, isDuplicateKeyError, RetryLaterError, type AnyEventEnvelope } from '@postline/common';
import type { mongo } from 'mongoose';

export type ApplyOutcome = 'applied' | 'already-applied';

/**
 * What one event does to the document mirroring its aggregate: create it (version 0) or update
 * it; `guard`: fields the update was computed from that a write outside the version sequence
 * may change meanwhile (a moderation decision changes a comment's status without its version).
 */
export type DocChange<T> = { create: () => T } | { update: mongo.UpdateFilter<T>; guard?: mongo.Filter<T> };

interface Versioned {
  _id: string;
  version: number;
}

/**
 * Applies one event to the document mirroring its aggregate, in version order,
 * with a single write on the usual path: version 0 inserts the document; a
 * later version updates it only where it is at the previous version. When the
 * write finds nothing to do, the applied version says why: a duplicate
 * (acknowledged, no effect) or a gap (RetryLaterError, redelivered later).
 */
export async function applyInOrder<T extends Versioned>(
  collection: mongo.Collection<T>,
  event: AnyEventEnvelope,
  change: DocChange<T>,
  what = `${event.subject.split('.')[0]} ${event.aggregateId}`,
): Promise<ApplyOutcome> {
  const id = event.aggregateId;
  if ('create' in change) {
    if (event.version === 0) {
      try {
        await collection.insertOne(change.create() as mongo.OptionalUnlessRequiredId<T>);
        return 'applied';
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
  } else if (event.version > 0) {
    const { $set, ...rest } = change.update as mongo.UpdateFilter<Versioned>;
    const result = await collection.updateOne(
      { ...change.guard, _id: id, version: event.version - 1 } as mongo.Filter<T>,
      { ...rest, $set: { ...($set ?? {}), version: event.version } } as mongo.UpdateFilter<T>,
    );
    if (result.matchedCount === 1) return 'applied';
  }
  const current = await collection.findOne({ _id: id } as mongo.Filter<T>, { projection: { version: 1 } });
  if (decideApply(current?.version, event.version, what) === 'already-applied') return 'already-applied';
  // decideApply said "apply" yet the write did not: a creation event with a
  // version other than 0, or another replica wrote in between. Look again later.
  throw new RetryLaterError(`${what}: could not apply version ${event.version} yet`);
}

/** Mongo field names may not contain dots or start with `$`. */
export function fieldKey(value: string): string {
  return value.replace(/[.$]/g, '_');
}
