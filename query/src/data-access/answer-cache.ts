/** What the cache keeps: a value that says what it was built from (labels) and roughly how much memory it holds. */
export interface Cacheable {
  readonly labels: readonly string[];
  readonly size: number;
}

export interface AnswerCacheOptions {
  maxEntries: number;
  /** Sum of the entries' sizes (bytes, roughly) kept at most; the least recently used go first. */
  maxBytes: number;
  /** An entry older than this is built again: a safety net, not the invalidation (change notices are). */
  maxAgeMs: number;
}

interface Entry<V> {
  value: V;
  storedAt: number;
}

/** Fills that keep meeting changes to what they read are served without being kept after this many tries. */
const maxFillAttempts = 5;
/** Drops remembered for fills in flight; beyond this, every fill in flight is treated as overtaken. */
const maxRememberedDrops = 10_000;

/**
 * Answers kept in memory, each labelled with what it was built from. A change
 * drops every entry carrying one of the change's labels; nothing else ever
 * makes an entry go stale.
 *
 * A fill reads the database while changes may arrive: an answer whose labels
 * were dropped after its fill started may have read the state before the
 * change, so it is built again rather than kept or served. Concurrent requests
 * for a key share one fill.
 */
export class AnswerCache<V extends Cacheable> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly byLabel = new Map<string, Set<string>>();
  private readonly filling = new Map<string, Promise<V | undefined>>();
  private bytes = 0;
  /** Counts drops; a fill remembers the epoch it started at. */
  private epoch = 0;
  private readonly droppedAt = new Map<string, number>();
  private overtakenBefore = 0;
  private fillsInFlight = 0;
  private live = true;
  readonly stats = { hits: 0, fills: 0, refills: 0, drops: 0, evictions: 0 };

  constructor(private readonly options: AnswerCacheOptions) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** The cached answer, if any (and fresh enough). */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (Date.now() - entry.storedAt > this.options.maxAgeMs) {
      this.remove(key);
      return undefined;
    }
    // Least recently used last in the map's order, so eviction takes the first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.stats.hits++;
    return entry.value;
  }

  /** The cached answer, or the one `build` makes (kept unless a change overtook it); undefined: nothing to answer (not kept). */
  getOrFill(key: string, build: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.get(key);
    if (hit) return Promise.resolve(hit);
    const pending = this.filling.get(key);
    if (pending) return pending;
    const fill = this.fill(key, build).finally(() => {
      if (this.filling.get(key) === fill) this.filling.delete(key);
    });
    this.filling.set(key, fill);
    return fill;
  }

  /** Drops every entry carrying one of the labels. */
  drop(labels: readonly string[]): void {
    this.epoch++;
    this.stats.drops++;
    for (const label of labels) {
      if (this.fillsInFlight > 0) this.droppedAt.set(label, this.epoch);
      const keys = this.byLabel.get(label);
      if (keys) for (const key of [...keys]) this.remove(key);
    }
    if (this.droppedAt.size > maxRememberedDrops) {
      this.overtakenBefore = this.epoch;
      this.droppedAt.clear();
    }
  }

  /** Drops everything; while not live (changes may be missed), nothing is kept. */
  clear(live = this.live): void {
    this.live = live;
    this.epoch++;
    this.overtakenBefore = this.epoch;
    this.droppedAt.clear();
    this.entries.clear();
    this.byLabel.clear();
    this.bytes = 0;
  }

  private async fill(key: string, build: () => Promise<V | undefined>): Promise<V | undefined> {
    for (let attempt = 1; ; attempt++) {
      const started = this.epoch;
      this.fillsInFlight++;
      this.stats.fills++;
      let value: V | undefined;
      let overtaken: boolean;
      try {
        value = await build();
        overtaken = value !== undefined && this.overtaken(value.labels, started);
      } finally {
        // Drops are remembered only while some fill may have read before them.
        if (--this.fillsInFlight === 0) this.droppedAt.clear();
      }
      if (value === undefined) return undefined;
      if (!overtaken) {
        if (this.live) this.store(key, value);
        return value;
      }
      this.stats.refills++;
      if (attempt >= maxFillAttempts) return value;
    }
  }

  private overtaken(labels: readonly string[], started: number): boolean {
    if (this.overtakenBefore > started) return true;
    return labels.some((label) => (this.droppedAt.get(label) ?? -1) > started);
  }

  private store(key: string, value: V): void {
    this.remove(key);
    this.entries.set(key, { value, storedAt: Date.now() });
    this.bytes += value.size;
    for (const label of value.labels) {
      let keys = this.byLabel.get(label);
      if (!keys) this.byLabel.set(label, (keys = new Set()));
      keys.add(key);
    }
    while (this.entries.size > this.options.maxEntries || this.bytes > this.options.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.remove(oldest.value);
      this.stats.evictions++;
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.value.size;
    for (const label of entry.value.labels) {
      const keys = this.byLabel.get(label);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.byLabel.delete(label);
    }
  }
}
