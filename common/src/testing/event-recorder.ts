import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { validateEvent, type AnyEventEnvelope, type EventBus, type Subject } from '../events';

/**
 * Records every event of some streams from their start, for tests to wait on
 * and count: "exactly one user.created with version 0".
 */
export class EventRecorder {
  readonly events: AnyEventEnvelope[] = [];
  /** Raw messages on the streams that are not valid events (poison-message tests publish them). */
  readonly invalid: string[] = [];
  private readonly subscriptions: ConsumerMessages[] = [];
  /** Per recorded stream, the sequence of the last message received. */
  private readonly received = new Map<string, number>();
  private waiters: (() => void)[] = [];

  constructor(private readonly bus: EventBus) {}

  async start(families: ('user' | 'post' | 'comment' | 'session')[] = ['user', 'post', 'comment']): Promise<this> {
    for (const family of families) {
      const stream = this.bus.names.streamOf(`${family}.x`);
      const consumer = await this.bus.js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
      const messages = await consumer.consume();
      this.subscriptions.push(messages);
      this.received.set(stream, 0);
      void (async () => {
        for await (const msg of messages) {
          this.received.set(stream, msg.seq);
          try {
            this.events.push(validateEvent(JSON.parse(msg.string())));
          } catch {
            // A poison message a test put on the stream on purpose: kept aside, not recorded as an event.
            this.invalid.push(msg.string());
          }
          for (const wake of this.waiters.splice(0)) wake();
        }
      })();
    }
    return this;
  }

  of<S extends Subject>(subject: S): Extract<AnyEventEnvelope, { subject: S }>[] {
    return this.events.filter((e) => e.subject === subject) as Extract<AnyEventEnvelope, { subject: S }>[];
  }

  /** Resolves with the first recorded event matching, waiting up to `timeoutMs`. */
  async waitFor<S extends Subject>(
    subject: S,
    matches: (event: Extract<AnyEventEnvelope, { subject: S }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<AnyEventEnvelope, { subject: S }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(subject).find(matches);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${subject} event matched within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /**
   * Resolves once every message the recorded streams held when called has been
   * recorded: after it, `of()` and `events` count exactly what was published
   * up to then (wait for the publishers first, e.g. an outbox drained).
   */
  async caughtUp(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const stream of this.received.keys()) {
      const target = (await this.bus.jsm.streams.info(stream)).state.last_seq;
      while ((this.received.get(stream) ?? 0) < target) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `recorder saw ${stream} up to ${this.received.get(stream)}, not ${target}, in ${timeoutMs} ms`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          this.waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }
  }

  stop(): void {
    for (const messages of this.subscriptions) messages.stop();
  }
}

/**
 * Polls `check` until it returns a value other than undefined, null or false, or fails after
 * `timeoutMs`. Null counts as not yet: a `findOne` that finds nothing is what a test waits past.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
