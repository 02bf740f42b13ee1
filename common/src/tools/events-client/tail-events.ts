import { DeliverPolicy, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { validateEvent, type AnyEventEnvelope } from '../../events/envelope';
import { DEAD_LETTER_FAMILY, DEAD_LETTER_STREAM, streamFamilies } from '../../events/streams';
import type { EventsConnection } from './connection';

export interface TailOptions {
  /** Start at this stream sequence (in each stream the pattern spans). */
  fromSeq?: number;
  /** Start at the first message stored at or after this time. */
  since?: Date;
  /** Stop once the messages stored when the tail started have been read, instead of following. */
  stopAtEnd?: boolean;
}

export interface TailedEvent {
  stream: string;
  seq: number;
  /** The catalogue subject (namespace stripped). */
  subject: string;
  /** When JetStream stored the message. */
  time: Date;
  /** The event, when it satisfies the catalogue. */
  event?: AnyEventEnvelope;
  /** Why it does not (such messages end up dead-lettered by their consumers). */
  invalid?: string;
  /** The message body as stored. */
  raw: string;
}

/** A running tail: iterate it for events, stop it to end the iteration. */
export interface EventTail extends AsyncIterable<TailedEvent> {
  stop(): void;
}

/**
 * Follows the streams a subject pattern spans (`post.created`, `comment.*`,
 * `*.deleted`, `>`), through one ordered consumer per stream: new events only
 * by default, or from a sequence or a time.
 */
export async function tailEvents(
  events: EventsConnection,
  pattern = '>',
  options: TailOptions = {},
): Promise<EventTail> {
  const channel = new Channel<TailedEvent>();
  const subscriptions: ConsumerMessages[] = [];
  const consumers: Consumer[] = [];
  const readers: Promise<void>[] = [];
  for (const { stream, filter } of streamsSpannedBy(pattern)) {
    const name = events.names.stream(stream);
    await events.streamInfo(name);
    const consumer = await events.js.consumers.get(name, {
      filter_subjects: events.names.wire(filter), // a string: one filter, as nats-server 2.9 requires
      ...startAt(options),
    });
    const pending = (await consumer.info(true)).num_pending;
    if (options.stopAtEnd && pending === 0) continue;
    const messages = await consumer.consume();
    consumers.push(consumer);
    subscriptions.push(messages);
    readers.push(
      (async () => {
        for await (const msg of messages) {
          channel.push(toTailedEvent(events, name, msg));
          if (options.stopAtEnd && msg.info.pending === 0) break;
        }
      })(),
    );
  }
  const stop = () => {
    for (const messages of subscriptions) messages.stop();
    for (const consumer of consumers) void consumer.delete().catch(() => undefined);
    channel.close();
  };
  void Promise.all(readers).then(
    () => channel.close(),
    (err: unknown) => channel.fail(err),
  );
  return { stop, [Symbol.asyncIterator]: () => channel.iterate() };
}

function startAt(options: TailOptions) {
  if (options.fromSeq !== undefined)
    return {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: options.fromSeq,
    };
  if (options.since)
    return {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: options.since.toISOString(),
    };
  return { deliver_policy: DeliverPolicy.New };
}

/** The streams (base names) a pattern can match, each with the part of the pattern it holds. */
export function streamsSpannedBy(pattern: string): { stream: string; filter: string }[] {
  const [family = '', ...rest] = pattern.split('.');
  const families = [
    ...streamFamilies.map((f) => ({
      stream: f.stream as string,
      family: f.family as string,
    })),
    { stream: DEAD_LETTER_STREAM, family: DEAD_LETTER_FAMILY },
  ];
  if (family === '>') return families.slice(0, -1).map((f) => ({ stream: f.stream, filter: `${f.family}.>` }));
  if (family === '*') {
    const tail = rest.length > 0 ? rest.join('.') : undefined;
    if (!tail) throw new Error(`"${pattern}" matches no subject: every subject has at least two tokens`);
    return families.slice(0, -1).map((f) => ({ stream: f.stream, filter: `${f.family}.${tail}` }));
  }
  const found = families.find((f) => f.family === family);
  if (!found) {
    throw new Error(
      `no stream holds "${pattern}": subjects start with ${families.map((f) => f.family).join(', ')}, * or >`,
    );
  }
  return [{ stream: found.stream, filter: rest.length > 0 ? pattern : `${family}.>` }];
}

function toTailedEvent(events: EventsConnection, stream: string, msg: JsMsg): TailedEvent {
  const raw = msg.string();
  const subject = events.names.logical(msg.subject);
  const tailed: TailedEvent = {
    stream,
    seq: msg.seq,
    subject,
    time: msg.time,
    raw,
  };
  // A dead letter is a record about an event, not an event: nothing to validate.
  if (subject.startsWith(`${DEAD_LETTER_FAMILY}.`)) return tailed;
  try {
    tailed.event = validateEvent(JSON.parse(raw));
  } catch (err) {
    tailed.invalid = (err as Error).message;
  }
  return tailed;
}

/** Merges several producers into one async iteration. */
class Channel<T> {
  private readonly queue: T[] = [];
  private wake?: () => void;
  private closed = false;
  private error: unknown;

  push(value: T): void {
    this.queue.push(value);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  fail(error: unknown): void {
    this.error = error;
    this.close();
  }

  async *iterate(): AsyncGenerator<T> {
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.error) throw this.error;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
