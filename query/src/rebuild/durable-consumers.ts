import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { isNotFound, type EventBus } from '@postline/common';

export interface ConsumerStart {
  stream: string;
  family: string;
  /** The first stream sequence the live consumer will deliver. */
  startSequence: number;
}

/**
 * Recreates the service's durable consumers so that they deliver from the
 * sequences after what a replay applied. The settings mirror those
 * EventListener gives the consumers it creates (it reuses existing ones as
 * they are), so the live path behaves the same either way.
 */
export async function resetDurableConsumers(
  bus: EventBus,
  service: string,
  maxDeliveries: number,
  starts: ConsumerStart[],
): Promise<void> {
  for (const { stream, family, startSequence } of starts) {
    try {
      await bus.jsm.consumers.delete(stream, service);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await bus.jsm.consumers.add(stream, {
      durable_name: service,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, startSequence),
      filter_subject: bus.names.wire(`${family}.>`),
      ack_wait: 30_000_000_000,
      max_deliver: maxDeliveries + 2,
      max_ack_pending: 1_000,
    });
  }
}
