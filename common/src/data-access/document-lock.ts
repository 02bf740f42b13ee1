/**
 * Serialises writes to one document within this process.
 *
 * Real MongoDB applies every single-document update atomically. FerretDB 1.x
 * (the local and CI stand-in) does not: it reads, modifies and writes back the
 * whole document, so two concurrent updates of one document lose one of them
 * — even two `$inc`s, even version-guarded find-and-modify. Everything that
 * writes a document it may share with concurrent work (the outbox writer and
 * relay, listeners) takes this lock first. Across replicas, the version guard
 * of `OutboxWriter` keeps real MongoDB correct; FerretDB is only ever run with
 * one process per service.
 */
const tails = new Map<string, Promise<void>>();

export async function withDocumentLock<T>(collection: string, id: unknown, work: () => Promise<T>): Promise<T> {
  const key = `${collection}:${String(id)}`;
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const tail = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
  tails.set(key, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
