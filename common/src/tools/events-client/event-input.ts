import { InvalidEventError } from '../../events/envelope';

/**
 * What a script hands over to publish: a catalogue payload, plus whatever
 * envelope fields it wants to fix itself. Everything else is filled in.
 */
export interface EventInput {
  subject?: string;
  data: unknown;
  aggregateId?: string;
  version?: number;
  producer?: string;
  id?: string;
  occurredAt?: string;
}

const envelopeFields = new Set(['subject', 'data', 'aggregateId', 'version', 'producer', 'id', 'occurredAt']);

/**
 * Reads the events in a file or `--data` argument: one JSON value (an object,
 * or an array of them) or JSON lines, one per line. Each value is either a
 * bare payload, or an envelope-shaped object with a `data` field (no catalogue
 * payload has one) and any of subject, aggregateId, version, producer, id,
 * occurredAt.
 */
export function parseEventInputs(text: string, source = 'input'): EventInput[] {
  let values: unknown[];
  try {
    const whole: unknown = JSON.parse(text);
    values = Array.isArray(whole) ? whole : [whole];
  } catch {
    values = text
      .split(/\r?\n/)
      .map((line, index) => ({ line: line.trim(), number: index + 1 }))
      .filter(({ line }) => line !== '')
      .map(({ line, number }) => {
        try {
          return JSON.parse(line) as unknown;
        } catch (err) {
          const where = text.trim().includes('\n') ? `${source} line ${number}` : source;
          throw new InvalidEventError(`${where} is not JSON: ${(err as Error).message}`);
        }
      });
  }
  if (values.length === 0) throw new InvalidEventError(`${source} holds no event`);
  return values.map((value, index) => toEventInput(value, values.length > 1 ? `${source} event ${index + 1}` : source));
}

function toEventInput(value: unknown, where: string): EventInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidEventError(`${where}: an event must be a JSON object`, 'data');
  }
  if (!('data' in value)) return { data: value };
  const unknown = Object.keys(value).filter((key) => !envelopeFields.has(key));
  if (unknown.length > 0) {
    throw new InvalidEventError(`${where}: unknown envelope field "${unknown[0]}"`, unknown[0]);
  }
  return value as EventInput;
}
