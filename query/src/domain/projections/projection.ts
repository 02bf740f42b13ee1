import { decideApply, RetryLaterError } from '@postline/common';

/**
 * What a projection decides for one event, given the document(s) it needs:
 * - `apply`: the document after the event, and the effects of the change on
 *   counts, lists and cached answers, computed from before and after;
 * - `skip`: nothing to change (a duplicate, or a comment of a deleted post);
 * - `wait`: an earlier event must come first.
 * Pure: the live driver and the replay driver run the same functions.
 */
export type Projection<T, E> =
  { outcome: 'apply'; after: T; effects: E } | { outcome: 'skip' } | { outcome: 'wait'; reason: string };

export const skip = { outcome: 'skip' } as const;
export const wait = (reason: string) => ({ outcome: 'wait', reason }) as const;

/** The order rule of every copy (common's decideApply), as a decision instead of an exception. */
export function inOrder(
  applied: number | undefined,
  version: number,
  what: string,
): 'apply' | 'skip' | { outcome: 'wait'; reason: string } {
  try {
    return decideApply(applied, version, what) === 'apply' ? 'apply' : 'skip';
  } catch (err) {
    if (err instanceof RetryLaterError) return wait(err.message);
    throw err;
  }
}
