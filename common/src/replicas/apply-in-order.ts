import type { mongo } from 'mongoose';
import { RetryLaterError } from '../events/event-listener';
import { isDuplicateKeyError } from '../mongo/duplicate-key';

export type ApplyDecision = 'apply' | 'already-applied';

/**
 * The rule every consumer keeps: an event at or below the version already
 * applied is a duplicate (acknowledge and ignore it); the next version is
 * applied; one that skips a version waits for the missing one.
 *
 * @param appliedVersion the version the local copy has, or undefined if it has none yet
 */
export function decideApply(
  appliedVersion: number | undefined,
  eventVersion: number,
  what = 'aggregate',
): ApplyDecision {
  const expected = appliedVersion === undefined ? 0 : appliedVersion + 1;
  if (appliedVersion !== undefined && eventVersion <= appliedVersion) return 'already-applied';
  if (eventVersion === expected) return 'apply';
  throw new RetryLaterError(
    `${what} is at version ${appliedVersion ?? 'none'}; event version ${eventVersion} must wait for ${expected}`,
  );
}

export type ApplyOutcome = 'applied' | 'already-applied';

/**
 * What one event does to the local copy of its aggregate: create it (version 0) or update it;
 * `guard`: fields the update was computed from, or a state it must not apply to (a deleted
 * copy), that a write outside the version sequence may change meanwhile.
 */
export type DocChange<T> = { create: () => T } | { update: mongo.UpdateFilter<T>; guard?: mongo.Filter<T> };

/**
 * `contiguous` (the default): the copy follows every version of the aggregate, in order.
 * `newer`: the copy follows only some of the aggregate's events (a post's likes are versions of
 * the post too), each carrying all the copy keeps, so versions in between are skipped and an
 * older event than the copy's is a duplicate.
 */
export type ApplyOrder = 'contiguous' | 'newer';

interface Versioned {
  _id: string;
  version: number;
}

/**
 * Applies one event to the local copy of its aggregate (a read model, a replica of another
 * service's data), with a single write on the usual path: version 0 inserts the document; a
 * later version updates it only where it is at the version before (`newer`: below this one).
 * When the write finds nothing to do, the copy's version says why: a duplicate (acknowledged,
 * no effect) or a gap (RetryLaterError: redelivered later, after the missing event).
 */
export async function applyInOrder<T extends Versioned>(
  collection: mongo.Collection<T>,
  event: { subject: string; aggregateId: string; version: number },
  change: DocChange<T>,
  { what = `${event.subject.split('.')[0]} ${event.aggregateId}`, order = 'contiguous' as ApplyOrder } = {},
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
    const version = order === 'newer' ? { $lt: event.version } : event.version - 1;
    const result = await collection.updateOne(
      { ...change.guard, _id: id, version } as mongo.Filter<T>,
      { ...rest, $set: { ...($set ?? {}), version: event.version } } as mongo.UpdateFilter<T>,
    );
    if (result.matchedCount === 1) return 'applied';
  }
  const current = await collection.findOne({ _id: id } as mongo.Filter<T>, { projection: { version: 1 } });
  if (order === 'newer') {
    if (current && current.version >= event.version) return 'already-applied';
    throw new RetryLaterError(
      current
        ? `${what}: could not apply version ${event.version} yet`
        : `${what} is not known yet (${event.subject} v${event.version})`,
    );
  }
  if (decideApply(current?.version, event.version, what) === 'already-applied') return 'already-applied';
  // decideApply said "apply" yet the write did not: a creation event with a
  // version other than 0, or another replica wrote in between. Look again later.
  throw new RetryLaterError(`${what}: could not apply version ${event.version} yet`);
}
