import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { eventCatalogue, isSubject, type EventData, type Subject } from './catalogue';

/** The envelope every event travels in; `id` doubles as the JetStream message id. */
export interface EventEnvelope<S extends Subject = Subject> {
  id: string;
  subject: S;
  occurredAt: string;
  producer: string;
  aggregateId: string;
  /** The aggregate's version after the change: 0 for its creation, then +1 each change. */
  version: number;
  data: EventData<S>;
}

export type AnyEventEnvelope = { [S in Subject]: EventEnvelope<S> }[Subject];

const envelopeSchema = z.object({
  id: z.uuid(),
  subject: z.string(),
  occurredAt: z.iso.datetime({ offset: true }),
  producer: z.string().min(1),
  aggregateId: z.string().min(1),
  version: z.number().int().min(0),
  data: z.unknown(),
});

export function newEvent<S extends Subject>(
  subject: S,
  fields: { producer: string; aggregateId: string; version: number; data: EventData<S> },
): EventEnvelope<S> {
  return {
    id: randomUUID(),
    subject,
    occurredAt: new Date().toISOString(),
    producer: fields.producer,
    aggregateId: fields.aggregateId,
    version: fields.version,
    data: fields.data,
  };
}

export class InvalidEventError extends Error {
  constructor(
    message: string,
    /** Dotted path of the first offending field, e.g. `data.title`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** Checks an envelope and its payload against the catalogue; throws InvalidEventError naming the field. */
export function validateEvent(value: unknown): AnyEventEnvelope {
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) throw invalid(envelope.error, []);
  const { subject } = envelope.data;
  if (!isSubject(subject)) throw new InvalidEventError(`unknown subject "${subject}"`, 'subject');
  const data = eventCatalogue[subject].safeParse(envelope.data.data);
  if (!data.success) throw invalid(data.error, ['data']);
  return { ...envelope.data, subject, data: data.data } as AnyEventEnvelope;
}

/** Validates only a payload, for publishers that fill the envelope themselves (the CLI). */
export function validateEventData<S extends Subject>(subject: S, data: unknown): EventData<S> {
  const result = eventCatalogue[subject].safeParse(data);
  if (!result.success) throw invalid(result.error, ['data']);
  return result.data as EventData<S>;
}

function invalid(error: z.ZodError, prefix: string[]): InvalidEventError {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path ?? []).map(String)].join('.');
  return new InvalidEventError(`${path || 'event'}: ${issue?.message ?? 'invalid'}`, path || undefined);
}
