/**
 * Whether a moderation decision about `judgedVersion` of a comment applies to
 * the comment as the read model has it:
 * - `wait`: the decision is about a version not seen yet (comment.updated is
 *   still on its way): retry later;
 * - `stale`: the text changed after the judged version: the decision is about
 *   older text and must never approve the newer one;
 * - `apply`: the judged text is the current text. (The comments service may
 *   bump the version for a status-only change, so "current text" is the
 *   version whose body we hold, not only the latest version.)
 */
export function decisionRelevance(
  comment: { version: number; bodyVersion: number },
  judgedVersion: number,
): 'wait' | 'stale' | 'apply' {
  if (judgedVersion > comment.version) return 'wait';
  if (judgedVersion < comment.bodyVersion) return 'stale';
  return 'apply';
}
