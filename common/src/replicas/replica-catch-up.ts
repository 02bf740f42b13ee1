import { z } from 'zod';

/**
 * The configuration of replica catch-up, for `loadServiceConfig(name, env, replicaCatchUpEnv)`
 * in a service that keeps a replica of another's data.
 */
export const replicaCatchUpEnv = z.object({
  /**
   * How long a write that names something this service knows only from events (a post, for a
   * comment) waits at most for the event, before it answers 404.
   */
  REPLICA_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
});

export interface ReplicaCatchUpOptions {
  /** The longest a request waits for the replica (REPLICA_WAIT_MS). */
  windowMs: number;
  /**
   * The first re-read of the database, doubled after each up to `maxRecheckMs`: the event may
   * be applied by another replica of this service (they share the durable consumer), which
   * wakes nobody here.
   */
  firstRecheckMs?: number;
  maxRecheckMs?: number;
  /** Requests waiting at once, at most; past that a request answers from what the replica holds now. */
  maxWaiting?: number;
  /**
   * How old an id may be and still be waited for. Postline's ids are ObjectIds, which carry the
   * second they were made: one made longer ago than this names nothing that is still on its
   * way (or is made up), so it is answered at once. An id that is no ObjectId is never waited for.
   */
  freshForMs?: number;
}

export interface WaitOptions {
  /**
   * Wait whatever the id's age: the entity is known to exist and the caller waits for a newer
   * version of it, which the age of its id says nothing about.
   */
  anyAge?: boolean;
}

const objectIdPattern = /^[0-9a-f]{24}$/;
/** Clocks of two hosts may disagree a little: an id up to this far in the future still counts as fresh. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Read-your-writes across services for one replica: a request that names something this
 * service knows only from another service's events waits, for a bounded time, until the
 * replica has it, instead of answering 404 while the event is still on its way.
 *
 * The listener that applies an event calls `arrived(id)`, which wakes the requests waiting for
 * that id in this process at once; requests also re-read the database on a rising back-off,
 * since another replica of the service may have applied the event. One instance per replica
 * collection per process, shared by the routes and the listener.
 */
export class ReplicaCatchUp {
  /** Per id, how to wake each request waiting for it. */
  private readonly waiters = new Map<string, Set<() => void>>();
  private waiting = 0;
  private readonly firstRecheckMs: number;
  private readonly maxRecheckMs: number;
  private readonly maxWaiting: number;
  private readonly freshForMs: number;

  constructor(private readonly options: ReplicaCatchUpOptions) {
    this.firstRecheckMs = options.firstRecheckMs ?? 25;
    this.maxRecheckMs = options.maxRecheckMs ?? 400;
    this.maxWaiting = options.maxWaiting ?? 1_000;
    this.freshForMs = options.freshForMs ?? 10 * 60_000;
  }

  /** Requests waiting now (for tests and metrics). */
  get waitingCount(): number {
    return this.waiting;
  }

  /** The listener applied an event about `id` (or found it applied): the requests waiting for it look again. */
  arrived(id: string): void {
    const waiters = this.waiters.get(id);
    if (!waiters) return;
    this.waiters.delete(id);
    for (const wake of waiters) wake();
  }

  /**
   * What `lookup` finds, looking at once and then, while it finds nothing, whenever `id`
   * arrives here and on the back-off, until the window is over.
   * @returns what `lookup` found, or undefined if it still found nothing after the window (or
   *   the id cannot name something on its way, or too many requests wait already)
   */
  async waitFor<T>(
    id: string,
    lookup: () => Promise<T | null | undefined>,
    options: WaitOptions = {},
  ): Promise<T | undefined> {
    const first = await lookup();
    if (first !== null && first !== undefined) return first;
    if (this.options.windowMs <= 0 || this.waiting >= this.maxWaiting) return undefined;
    if (!options.anyAge && !this.mayBeOnItsWay(id)) return undefined;

    const deadline = Date.now() + this.options.windowMs;
    const untilNextLook = (ms: number) => Math.max(0, Math.min(ms, deadline - Date.now()));
    let recheckMs = this.firstRecheckMs;
    this.waiting++;
    try {
      // The look above was the first; each turn waits for an arrival or the back-off, then looks
      // again, the last time at the deadline.
      let arrival = this.nextArrival(id, untilNextLook(recheckMs));
      for (;;) {
        await arrival.promise;
        recheckMs = Math.min(recheckMs * 2, this.maxRecheckMs);
        // Listen before looking, so an arrival during the look is not missed.
        arrival = this.nextArrival(id, untilNextLook(recheckMs));
        const found = await lookup();
        if ((found !== null && found !== undefined) || Date.now() >= deadline) {
          arrival.cancel();
          return found ?? undefined;
        }
      }
    } finally {
      this.waiting--;
    }
  }

  /** An ObjectId made within `freshForMs` (allowing for clock skew). */
  private mayBeOnItsWay(id: string): boolean {
    if (!objectIdPattern.test(id)) return false;
    const madeAt = parseInt(id.slice(0, 8), 16) * 1000;
    const now = Date.now();
    return madeAt >= now - this.freshForMs - CLOCK_SKEW_MS && madeAt <= now + CLOCK_SKEW_MS;
  }

  /** Resolves when `id` arrives or after `ms`, whichever is first; `cancel` resolves it now. */
  private nextArrival(id: string, ms: number): { promise: Promise<void>; cancel: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    const waiters = set;
    const cancel = () => {
      clearTimeout(timer);
      waiters.delete(cancel);
      if (waiters.size === 0 && this.waiters.get(id) === waiters) this.waiters.delete(id);
      resolve();
    };
    const timer = setTimeout(cancel, ms);
    waiters.add(cancel);
    return { promise, cancel };
  }
}
