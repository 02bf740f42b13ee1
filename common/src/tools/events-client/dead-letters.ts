import { DeliverPolicy } from '@nats-io/jetstream';
import { InvalidEventError, validateEvent } from '../../events/envelope';
import type { DeadLetter } from '../../events/event-listener';
import { DEAD_LETTER_STREAM } from '../../events/streams';
import type { EventsConnection } from './connection';

/** A dead letter as stored: its sequence in the dead-letter stream identifies it for retry and discard. */
export interface StoredDeadLetter extends DeadLetter {
  seq: number;
}

export interface DeadLetterRetry {
  letter: StoredDeadLetter;
  /** Where the original payload was published again. */
  stream: string;
  seq: number;
}

export class DeadLetterNotFoundError extends Error {
  constructor(readonly seq: number) {
    super(`no dead letter with sequence ${seq}`);
    this.name = 'DeadLetterNotFoundError';
  }
}

/** Every dead letter in the namespace, oldest first, optionally of one service. */
export async function listDeadLetters(
  events: EventsConnection,
  filter: { service?: string } = {},
): Promise<StoredDeadLetter[]> {
  const stream = events.names.stream(DEAD_LETTER_STREAM);
  const { state } = await events.streamInfo(stream);
  if (state.messages === 0) return [];
  const consumer = await events.js.consumers.get(stream, {
    deliver_policy: DeliverPolicy.All,
    // One filter subject (nats-server 2.9): the service's dead-letter subject.
    ...(filter.service ? { filter_subjects: events.names.deadLetterSubject(filter.service) } : {}),
  });
  const letters: StoredDeadLetter[] = [];
  if ((await consumer.info(true)).num_pending > 0) {
    const messages = await consumer.consume();
    for await (const msg of messages) {
      letters.push({ ...msg.json<DeadLetter>(), seq: msg.seq });
      if (msg.info.pending === 0) break;
    }
    messages.stop();
  }
  await consumer.delete().catch(() => undefined);
  return letters;
}

export async function getDeadLetter(events: EventsConnection, seq: number): Promise<StoredDeadLetter> {
  const stream = events.names.stream(DEAD_LETTER_STREAM);
  await events.streamInfo(stream);
  const stored = await events.jsm.streams.getMessage(stream, { seq });
  if (!stored) throw new DeadLetterNotFoundError(seq);
  return { ...stored.json<DeadLetter>(), seq };
}

/**
 * Publishes the dead letter's original payload again on its original subject
 * (so every consumer of the stream sees it again; those that had applied it
 * ignore it by version), then removes the dead letter. A payload the
 * catalogue still refuses is not retried: it would only come back.
 */
export async function retryDeadLetter(events: EventsConnection, seq: number): Promise<DeadLetterRetry> {
  const letter = await getDeadLetter(events, seq);
  let original: unknown;
  try {
    original = JSON.parse(letter.payload);
    validateEvent(original);
  } catch (err) {
    const field = err instanceof InvalidEventError ? err.field : undefined;
    throw new InvalidEventError(
      `dead letter ${seq} holds an invalid event (${(err as Error).message}): discard it, or publish a corrected event`,
      field,
    );
  }
  const stream = events.names.streamOf(letter.subject);
  const ack = await events.js.publish(events.names.wire(letter.subject), letter.payload, {
    // Not the event id: the stream would drop it as a duplicate within its window.
    msgID: `retry:${events.names.stream(DEAD_LETTER_STREAM)}:${seq}`,
    expect: { streamName: stream },
  });
  await discardDeadLetter(events, seq);
  return { letter, stream: ack.stream, seq: ack.seq };
}

export async function discardDeadLetter(events: EventsConnection, seq: number): Promise<void> {
  const stream = events.names.stream(DEAD_LETTER_STREAM);
  await events.streamInfo(stream);
  try {
    await events.jsm.streams.deleteMessage(stream, seq);
  } catch (err) {
    if (/no message found|not found/i.test((err as Error).message)) throw new DeadLetterNotFoundError(seq);
    throw err;
  }
}
