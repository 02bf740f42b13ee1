import { DeliverPolicy } from '@nats-io/jetstream';
import { pino } from 'pino';
import type { ServiceConfig } from '../config';
import { EventBus, type DeadLetter } from '../events';
import { runService, type RunningService, type ServiceDefinition } from '../service';
import { EventRecorder } from './event-recorder';
import { testServiceEnv, uniqueNamespace } from './test-infrastructure';

export interface ServiceUnderTest {
  service: RunningService;
  /** The service's own origin, for supertest or fetch. */
  baseUrl: string;
  /** Every event of the recorded families in the namespace, from the streams. */
  events: EventRecorder;
  /** A connection of the test's own in the namespace, to publish crafted events as other services would. */
  bus: EventBus;
  namespace: string;
  /** What this service dead-lettered so far. */
  deadLetters(): Promise<DeadLetter[]>;
  stop(): Promise<void>;
}

export interface ServiceUnderTestOptions<C extends ServiceConfig> {
  name: string;
  loadConfig: (env: Record<string, string>) => C;
  define: (config: C) => ServiceDefinition;
  /** Event families to record. */
  record: ('user' | 'post' | 'comment')[];
  /** Reuse the namespace (database and streams) of an earlier instance: a restart, or services side by side. */
  namespace?: string;
  env?: Record<string, string>;
}

/**
 * A service in-process on a random port, against the real test database and
 * nats-server, in a namespace of its own: what every service's tests start.
 */
export async function startServiceUnderTest<C extends ServiceConfig>(
  options: ServiceUnderTestOptions<C>,
): Promise<ServiceUnderTest> {
  const namespace = options.namespace ?? uniqueNamespace();
  const config = options.loadConfig(testServiceEnv(options.name, namespace, options.env));
  const service = await runService(options.define(config), config);
  const bus = await EventBus.connect({
    url: config.NATS_URL,
    name: `${options.name}-test`,
    namespace,
    logger: pino({ level: 'silent' }),
  });
  const events = await new EventRecorder(bus).start(options.record);
  return {
    service,
    baseUrl: `http://127.0.0.1:${service.port}`,
    events,
    bus,
    namespace,
    deadLetters: () => readDeadLetters(bus, options.name),
    stop: async () => {
      events.stop();
      await bus.close();
      await service.stop();
    },
  };
}

/** The dead letters in the bus's namespace, of one service or of all. */
export async function readDeadLetters(bus: EventBus, service?: string): Promise<DeadLetter[]> {
  const stream = bus.names.stream('DEADLETTER');
  const { state } = await bus.jsm.streams.info(stream);
  if (state.messages === 0) return [];
  const consumer = await bus.js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const letters: DeadLetter[] = [];
  const messages = await consumer.fetch({ max_messages: state.messages, expires: 2_000 });
  for await (const msg of messages) letters.push(msg.json<DeadLetter>());
  return service ? letters.filter((letter) => letter.service === service) : letters;
}
