import { randomUUID } from 'node:crypto';
import { isSubject, type Subject } from '../../events/catalogue';
import { InvalidEventError, validateEvent, validateEventData, type AnyEventEnvelope } from '../../events/envelope';
import { AggregateVersions } from './aggregate-versions';
import type { EventsConnection } from './connection';
import type { EventInput } from './event-input';

export const DEFAULT_PRODUCER = 'postline-events';

export interface PublishResult {
  event: AnyEventEnvelope;
  stream: string;
  seq: number;
  /** JetStream already held this event id (within its duplicate window) and kept the first copy. */
  duplicate: boolean;
}

/** Defaults for the envelope fields an input leaves out. */
export interface PublishDefaults {
  subject?: string;
  aggregateId?: string;
  version?: number;
  producer?: string;
}

/**
 * Builds full envelopes from inputs, checks every one against the catalogue
 * before publishing any (a file with one bad line publishes nothing), then
 * publishes them in order the way services do: the event id as message id,
 * the expected stream named, each stream acknowledgement awaited.
 */
export async function publishEvents(
  events: EventsConnection,
  inputs: EventInput[],
  defaults: PublishDefaults = {},
): Promise<PublishResult[]> {
  const versions = new AggregateVersions(events);
  const envelopes: AnyEventEnvelope[] = [];
  for (const [index, input] of inputs.entries()) {
    const where = inputs.length > 1 ? `event ${index + 1}: ` : '';
    try {
      envelopes.push(await toEnvelope(input, defaults, events, versions));
    } catch (err) {
      if (err instanceof InvalidEventError) throw new InvalidEventError(`${where}${err.message}`, err.field);
      throw err;
    }
  }
  const results: PublishResult[] = [];
  for (const event of envelopes) {
    const stream = events.names.streamOf(event.subject);
    const ack = await events.js.publish(events.names.wire(event.subject), JSON.stringify(event), {
      msgID: event.id,
      expect: { streamName: stream },
    });
    results.push({
      event,
      stream: ack.stream,
      seq: ack.seq,
      duplicate: ack.duplicate,
    });
  }
  return results;
}

async function toEnvelope(
  input: EventInput,
  defaults: PublishDefaults,
  events: EventsConnection,
  versions: AggregateVersions,
): Promise<AnyEventEnvelope> {
  const subject = input.subject ?? defaults.subject;
  if (!subject) throw new InvalidEventError('no subject: name one, or give each event a "subject"', 'subject');
  if (!isSubject(subject)) throw new InvalidEventError(`unknown subject "${subject}"`, 'subject');
  // The payload first: its errors are the ones a script author needs to see.
  validateEventData(subject, input.data);

  const stream = events.names.streamOf(subject);
  await events.streamInfo(stream); // a wrong namespace fails here, before anything is published
  const aggregateId = input.aggregateId ?? defaults.aggregateId ?? defaultAggregateId(subject, input.data);
  if (!aggregateId) {
    throw new InvalidEventError(
      `cannot tell the aggregate of ${subject} from its payload: give --aggregate-id`,
      'aggregateId',
    );
  }
  const explicitVersion = input.version ?? defaults.version;
  let version: number;
  if (explicitVersion === undefined) {
    version = await versions.next(stream, subject, aggregateId);
  } else {
    version = explicitVersion;
    if (Number.isInteger(version) && version >= 0) await versions.taken(stream, subject, aggregateId, version);
  }
  return validateEvent({
    id: input.id ?? randomUUID(),
    subject,
    occurredAt: input.occurredAt ?? new Date().toISOString(),
    producer: input.producer ?? defaults.producer ?? DEFAULT_PRODUCER,
    aggregateId,
    version,
    data: input.data,
  });
}

/**
 * Where the owning services take an event's aggregate id from, when it is not
 * the entity's own `id`: a like changes the post, a follow the follower's user
 * document (auth keeps `following` there), a decision is about a comment.
 */
const aggregateIdField: Partial<Record<Subject, string>> = {
  'comment.moderated': 'commentId',
  'post.liked': 'postId',
  'post.unliked': 'postId',
  'user.followed': 'followerId',
  'user.unfollowed': 'followerId',
};

export function defaultAggregateId(subject: Subject, data: unknown): string | undefined {
  const value = ((data ?? {}) as Record<string, unknown>)[aggregateIdField[subject] ?? 'id'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
