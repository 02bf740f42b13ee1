import { durableConsumerConfig, isNotFound, type EventBus } from '@postline/common';

export interface ConsumerStart {
  stream: string;
  family: string;
  /** The first stream sequence the live consumer will deliver. */
  startSequence: number;
}

/**
 * Recreates the service's durable consumers so that they deliver from the
 * sequences after what a replay applied, with the same settings the
 * EventListener gives the consumers it creates.
 */
export async function resetDurableConsumers(
  bus: EventBus,
  service: string,
  settings: { maxDeliveries: number; ackWaitMs?: number },
  starts: ConsumerStart[],
): Promise<void> {
  for (const { stream, family, startSequence } of starts) {
    try {
      await bus.jsm.consumers.delete(stream, service);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await bus.jsm.consumers.add(
      stream,
      durableConsumerConfig({ service, filterSubject: bus.names.wire(`${family}.>`), ...settings, startSequence }),
    );
  }
}
