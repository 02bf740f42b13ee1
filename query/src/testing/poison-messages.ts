import type { DeadLetter, EventBus } from '@postline/common';
import { readDeadLetters } from '@postline/common/testing';

/** Every dead letter of the query service in the namespace. */
export const deadLettersOf = (bus: EventBus): Promise<DeadLetter[]> => readDeadLetters(bus, 'query');

/** Publishes a raw message on a subject, skipping the catalogue's validation (a poison message). */
export async function publishRaw(bus: EventBus, subject: string, payload: unknown): Promise<void> {
  await bus.js.publish(bus.names.wire(subject), typeof payload === 'string' ? payload : JSON.stringify(payload));
}
