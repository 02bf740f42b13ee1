import { RetryLaterError } from './event-listener';

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
