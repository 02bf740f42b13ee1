import type { ConsumerInfo, JetStreamManager, PubAck } from '@nats-io/jetstream';

/**
 * Waits on facts of JetStream, not on time: a test that then asserts "exactly
 * one" or "nothing changed" asserts on a finished state, so a duplicate that
 * arrives late cannot slip past it.
 */

const POLL_MS = 20;

async function poll<T>(read: () => Promise<T | undefined>, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what()} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The sequence of the last message the stream holds (0 when empty). */
export async function streamLastSeq(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.last_seq;
}

/**
 * Resolves once the durable consumer has acknowledged (or given up on) every
 * message the stream held when called: its ack floor reached the stream's last
 * sequence, or, for a consumer filtered to one subject (whose ack floor stays at
 * the last message of its own subject), nothing of it is left to deliver or to
 * acknowledge. A service acks only after its handler finished, so whatever the
 * handlers do is done.
 */
export async function untilConsumed(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  timeoutMs = 15_000,
): Promise<ConsumerInfo> {
  const target = await streamLastSeq(jsm, stream);
  let last: ConsumerInfo | undefined;
  return poll(
    async () => {
      last = await jsm.consumers.info(stream, durable);
      const settled = last.ack_floor.stream_seq >= target || (last.num_pending === 0 && last.num_ack_pending === 0);
      return settled ? last : undefined;
    },
    timeoutMs,
    () =>
      `${durable} on ${stream} acknowledging up to sequence ${target} (ack floor ${last?.ack_floor.stream_seq ?? '?'}, ` +
      `${last?.num_pending ?? '?'} to deliver, ${last?.num_ack_pending ?? '?'} unacknowledged)`,
  );
}

/**
 * Resolves once the durable consumer holds the published message unacknowledged
 * (delivered, not settled) and `tried` says its handler ran and declined it: how
 * a service keeps an event that must wait for a predecessor.
 */
export async function untilDeferred(
  jsm: JetStreamManager,
  durable: string,
  published: PubAck,
  tried: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<ConsumerInfo> {
  return poll(
    async () => {
      if (!(await tried())) return undefined;
      const info = await jsm.consumers.info(published.stream, durable);
      const held = info.delivered.stream_seq >= published.seq && info.ack_floor.stream_seq < published.seq;
      return held ? info : undefined;
    },
    timeoutMs,
    () => `${durable} trying and holding sequence ${published.seq} of ${published.stream}`,
  );
}
