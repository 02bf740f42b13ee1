import type { DeadLetter, EventBus } from '@postline/common';

/** Every dead letter of the query service in the namespace, oldest first. */
export async function deadLettersOf(bus: EventBus): Promise<DeadLetter[]> {
  const stream = bus.names.stream('DEADLETTER');
  const { state } = await bus.jsm.streams.info(stream);
  const letters: DeadLetter[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    try {
      const msg = await bus.jsm.streams.getMessage(stream, { seq });
      if (msg) letters.push(JSON.parse(new TextDecoder().decode(msg.data)) as DeadLetter);
    } catch {
      // deleted message
    }
  }
  return letters.filter((l) => l.service === 'query');
}

/** Publishes a raw message on a subject, skipping the catalogue's validation (a poison message). */
export async function publishRaw(bus: EventBus, subject: string, payload: unknown): Promise<void> {
  await bus.js.publish(bus.names.wire(subject), typeof payload === 'string' ? payload : JSON.stringify(payload));
}
