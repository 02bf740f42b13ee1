/** MongoDB's error code for a write that would break a unique index. */
const DUPLICATE_KEY = 11000;

/**
 * Whether a write failed because another document already has the key: the
 * answer a service turns into "someone else got there first" (a 409, an event
 * already applied, a lease held by another replica). A bulk write's error
 * counts only when every one of its failed writes is such a duplicate.
 */
export function isDuplicateKeyError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, writeErrors } = err as { code?: unknown; writeErrors?: unknown };
  if (Array.isArray(writeErrors) && writeErrors.length > 0) return writeErrors.every(isDuplicateKeyError);
  return code === DUPLICATE_KEY;
}
