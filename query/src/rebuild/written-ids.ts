/**
 * What a replay has written so far, remembered up to a bound, so that a batch
 * skips reading documents that cannot be there: a replay starts from empty
 * read models and is their only writer, so an id it never wrote is not in the
 * database. Once something was forgotten (the bound), or written behind its
 * back (the live driver retrying deferred events), that no longer holds and
 * every id is read.
 */
export class WrittenIds<V> {
  private readonly known = new Map<string, V>();
  private complete = true;

  constructor(private readonly max = 100_000) {}

  remember(id: string, value: V): void {
    this.known.delete(id);
    this.known.set(id, value);
    if (this.known.size > this.max) {
      this.known.delete(this.known.keys().next().value!);
      this.complete = false;
    }
  }

  get(id: string): V | undefined {
    return this.known.get(id);
  }

  /** Whether an id not remembered is surely not in the database. */
  get authoritative(): boolean {
    return this.complete;
  }

  /** From now on, ids not remembered may be in the database. */
  distrust(): void {
    this.complete = false;
  }

  /** The ids to read from the database. */
  toRead(ids: readonly string[]): string[] {
    return this.complete ? ids.filter((id) => this.known.has(id)) : [...ids];
  }
}

/** The ids a replay remembers, per read model. */
export interface ReplayMemory {
  users: WrittenIds<true>;
  posts: WrittenIds<{ deleted: boolean }>;
  comments: WrittenIds<true>;
}

export const replayMemory = (): ReplayMemory => ({
  users: new WrittenIds(),
  posts: new WrittenIds(),
  comments: new WrittenIds(),
});
