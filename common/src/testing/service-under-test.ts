import { DeliverPolicy, type PubAck } from '@nats-io/jetstream';
import { pino } from 'pino';
import type { ServiceConfig } from '../config';
import { EventBus, streamFamilies, type AnyEventEnvelope, type DeadLetter } from '../events';
import { runService, type RunningService, type ServiceDefinition } from '../service';
import { EventRecorder } from './event-recorder';
import { streamLastSeq, untilConsumed, untilDeferred } from './stream-state';
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
  /**
   * Resolves once everything is done: the service acknowledged every event on
   * the streams it consumes, its outbox is empty, and the recorder holds every
   * event on its streams. After it, "exactly one event" and "nothing changed"
   * are exact.
   */
  untilSettled(timeoutMs?: number): Promise<void>;
  /**
   * Publishes an event the service must hold until its predecessor arrives, and
   * resolves once the service has tried it and holds it (its handler failed on it
   * and JetStream has it unacknowledged). Meant for a service with nothing else
   * failing on the same subject at the time.
   */
  publishOutOfOrder(event: AnyEventEnvelope): Promise<PubAck>;
  stop(): Promise<void>;
}

export interface ServiceUnderTestOptions<C extends ServiceConfig> {
  name: string;
  loadConfig: (env: Record<string, string>) => C;
  define: (config: C) => ServiceDefinition<C>;
  /** Event families to record. */
  record: ('user' | 'post' | 'comment' | 'session')[];
  /** Reuse the namespace (database and streams) of an earlier instance: a restart, or services side by side. */
  namespace?: string;
  env?: Record<string, string>;
  /** The NATS user the test's own connection acts as, against a server with users (startNatsWithUsers). */
  natsObserver?: { user: string; password: string };
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
    ...options.natsObserver,
  });
  const events = await new EventRecorder(bus).start(options.record);
  return {
    service,
    baseUrl: `http://127.0.0.1:${service.port}`,
    events,
    bus,
    namespace,
    deadLetters: () => readDeadLetters(bus, options.name),
    untilSettled: (timeoutMs = 15_000) => untilServiceSettled(service, bus, events, options.name, timeoutMs),
    publishOutOfOrder: (event) => publishOutOfOrder(bus, service, options.name, event),
    stop: async () => {
      events.stop();
      await bus.close();
      await service.stop();
    },
  };
}

/** Handler failures of the service for a subject so far, as its metrics count them. */
/**
 * Resolves once the durable consumer `durable` has acknowledged everything each stream it reads
 * held when called (see untilConsumed): every event published so far is handled.
 */
export async function untilDurableConsumed(bus: EventBus, durable: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const family of streamFamilies) {
    const stream = bus.names.stream(family.stream);
    const consumers = await bus.jsm.consumers.list(stream).next();
    if (consumers.some((c) => c.name === durable))
      await untilConsumed(bus.jsm, stream, durable, Math.max(1, deadline - Date.now()));
  }
}

/**
 * Publishes an event the service (durable consumer `durable`) must hold until its predecessor
 * arrives, and resolves once it has tried it and holds it: its handler failed on it (the failure
 * metric moved) and JetStream has it unacknowledged.
 */
export async function publishOutOfOrder(
  bus: EventBus,
  service: RunningService,
  durable: string,
  event: AnyEventEnvelope,
): Promise<PubAck> {
  const before = await failuresOf(service, event.subject);
  const published = await bus.publish(event);
  await untilDeferred(bus.jsm, durable, published, async () => (await failuresOf(service, event.subject)) > before);
  return published;
}

/** How often the service's handlers failed on `subject` so far (its failure metric). */
async function failuresOf(service: RunningService, subject: string): Promise<number> {
  const metric = service.metrics.registry.getSingleMetric('postline_event_handling_failures_total');
  if (!metric) throw new Error('no postline_event_handling_failures_total metric');
  const { values } = await metric.get();
  return values.find((v) => v.labels.subject === subject)?.value ?? 0;
}

async function untilServiceSettled(
  service: RunningService,
  bus: EventBus,
  events: EventRecorder,
  durable: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const streams = streamFamilies.map((family) => bus.names.stream(family.stream));
  const lastSeqs = () => Promise.all(streams.map((stream) => streamLastSeq(bus.jsm, stream)));
  // Handling an event may publish one the service consumes itself: repeat until a round adds nothing.
  for (let before = await lastSeqs(); ;) {
    await untilDurableConsumed(bus, durable, Math.max(1, deadline - Date.now()));
    while ((await service.context.relay.backlog()).events > 0) {
      if (Date.now() > deadline) throw new Error(`${durable}'s outbox not empty within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const after = await lastSeqs();
    if (after.every((seq, i) => seq === before[i])) break;
    before = after;
  }
  await events.caughtUp(Math.max(1, deadline - Date.now()));
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
