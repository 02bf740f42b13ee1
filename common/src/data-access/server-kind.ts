import type { Connection } from 'mongoose';

const answers = new WeakMap<Connection, Promise<boolean>>();

/**
 * Whether the database is FerretDB rather than MongoDB (FerretDB's buildInfo
 * names its own version). Asked once per connection.
 *
 * It matters for one choice: a write guarded by a second field (`{_id,
 * version}`) is what keeps replicas from interleaving on MongoDB, but FerretDB
 * 1.x serves only a bare `{_id}` filter from its primary key — any other
 * filter reads and decodes the whole collection — and does not apply the
 * guarded update atomically anyway. On FerretDB the per-document lock is what
 * serialises writers (one process per service), so the guard is dropped there.
 */
export function isFerretDb(db: Connection): Promise<boolean> {
  let answer = answers.get(db);
  if (!answer) {
    answer = db
      .db!.admin()
      .command({ buildInfo: 1 })
      .then((info) => typeof info.ferretdbVersion === 'string');
    answers.set(db, answer);
  }
  return answer;
}

/** The filter for a version-guarded write of one document: `{_id, version}` on MongoDB, `{_id}` on FerretDB. */
export async function guardedFilter(db: Connection, id: unknown, version: number): Promise<Record<string, unknown>> {
  return (await isFerretDb(db)) ? { _id: id } : { _id: id, version };
}
