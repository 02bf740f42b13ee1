import { AckPolicy, DeliverPolicy, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Subject } from './catalogue';
import { validateEvent, type EventEnvelope } from './envelope';
import type { EventBus } from './event-bus';
import { isNotFound } from './event-bus';
import { streamFamilies } from './streams';

export interface DeliveryInfo {
  deliveryCount: number;
  streamSequence: number;
}

export type EventHandler<S extends Subject> = (event: EventEnvelope<S>, delivery: DeliveryInfo) => Promise<void>;

/**
 * Thrown by a handler that cannot apply an event yet (it skips a version, or
 * what it refers to has not arrived): the message is redelivered later.
 */
export class RetryLaterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** What a dead-lettered message carries: the reason, and the original untouched. */
export interface DeadLetter {
  reason: string;
  service: string;
  subject: string;
  stream: string;
  streamSequence: number;
  deliveries: number;
  failedAt: string;
  payload: string;
}

/**
 * The settings of a service's durable consumer on one stream, shared by the
 * listener and by anything that recreates the consumer (the query service
 * after a replay starts it past the replayed sequence).
 */
export function durableConsumerConfig(options: {
  service: string;
  filterSubject: string;
  maxDeliveries: number;
  /** Deliver from this stream sequence on, instead of from the start. */
  startSequence?: number;
}): Partial<ConsumerConfig> {
  return {
    durable_name: options.service,
    ack_policy: AckPolicy.Explicit,
    ...(options.startSequence
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, options.startSequence) }
      : { deliver_policy: DeliverPolicy.All }),
    filter_subject: options.filterSubject,
    ack_wait: 30_000_000_000,
    // The listener dead-letters after maxDeliveries; this is only the backstop
    // for a message that kills the process every time it is handled.
    max_deliver: options.maxDeliveries + 2,
    max_ack_pending: 1_000,
  };
}

export interface EventListenerOptions {
  /** Names the durable consumers, shared by all replicas of the service. */
  service: string;
  logger: Logger;
  /** Attempts before a failing message is dead-lettered. */
  maxDeliveries?: number;
  /** First retry delay; doubles each attempt, capped at 30 s. */
  retryBaseMs?: number;
  /** Messages handled at once across aggregates (one at a time within an aggregate). */
  maxInFlight?: number;
}

/**
 * Consumes the service's subjects through one durable pull consumer per stream
 * (work-queue semantics across replicas), acking only after the handler
 * succeeded. Messages of different aggregates are handled concurrently (up to
 * `maxInFlight`), those of one aggregate strictly one after another in
 * delivery order; writes that may still race (two replicas, two aggregates
 * touching one document) are kept apart by version-guarded updates. Failures are retried with exponential
 * back-off; after `maxDeliveries` attempts, or at once for a message that fails
 * validation, the message goes to the dead-letter subject with the reason, so
 * one poison message never blocks those behind it.
 */
export class EventListener {
  private readonly handlers = new Map<Subject, EventHandler<Subject>>();
  private readonly subscriptions: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly maxDeliveries: number;
  private readonly retryBaseMs: number;
  private readonly maxInFlight: number;
  private started = false;
  private activeLoops = 0;
  /** Aggregate id → the last message queued for it: the next one waits for it. */
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly bus: EventBus,
    private readonly options: EventListenerOptions,
  ) {
    this.maxDeliveries = options.maxDeliveries ?? 8;
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.maxInFlight = options.maxInFlight ?? 64;
  }

  on<S extends Subject>(subject: S, handler: EventHandler<S>): this {
    if (this.started) throw new Error('register handlers before start()');
    this.handlers.set(subject, handler as unknown as EventHandler<Subject>);
    return this;
  }

  get isRunning(): boolean {
    return this.started && this.activeLoops === this.loops.length;
  }

  /** The durable consumer names (stream → consumer) this listener uses. */
  consumerNames(): { stream: string; consumer: string }[] {
    return this.families().map((family) => ({
      stream: this.bus.names.stream(family.stream),
      consumer: this.options.service,
    }));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const family of this.families()) {
      const stream = this.bus.names.stream(family.stream);
      await this.ensureConsumer(stream, this.bus.names.wire(`${family.family}.>`));
      const consumer = await this.bus.js.consumers.get(stream, this.options.service);
      const messages = await consumer.consume({ max_messages: 256 });
      this.subscriptions.push(messages);
      this.loops.push(this.run(messages, stream));
    }
  }

  /** Stops pulling, lets the messages in hand finish and their acks go out. */
  async stop(): Promise<void> {
    for (const messages of this.subscriptions) messages.stop();
    await Promise.all(this.loops);
    await Promise.all(this.inFlight);
    this.started = false;
    this.subscriptions.length = 0;
    this.loops.length = 0;
  }

  private families() {
    const subjects = [...this.handlers.keys()];
    return streamFamilies.filter((f) => subjects.some((s) => s.startsWith(`${f.family}.`)));
  }

  private async ensureConsumer(stream: string, filterSubject: string): Promise<void> {
    try {
      await this.bus.jsm.consumers.info(stream, this.options.service);
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await this.bus.jsm.consumers.add(
      stream,
      durableConsumerConfig({ service: this.options.service, filterSubject, maxDeliveries: this.maxDeliveries }),
    );
  }

  private async run(messages: ConsumerMessages, stream: string): Promise<void> {
    this.activeLoops++;
    try {
      await this.consumeAll(messages, stream);
    } finally {
      this.activeLoops--;
    }
  }

  private async consumeAll(messages: ConsumerMessages, stream: string): Promise<void> {
    for await (const msg of messages) {
      while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
      const parsed = this.parse(msg);
      if ('invalid' in parsed) {
        this.track(this.settleFailure(msg, this.deadLetter(msg, stream, parsed.invalid)));
        continue;
      }
      const lane = parsed.event.aggregateId;
      const previous = this.lanes.get(lane) ?? Promise.resolve();
      const turn = previous.then(() => this.settleFailure(msg, this.handle(msg, stream, parsed.event)));
      this.lanes.set(lane, turn);
      this.track(turn);
      void turn.then(() => {
        if (this.lanes.get(lane) === turn) this.lanes.delete(lane);
      });
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.then(() => this.inFlight.delete(work));
  }

  /** Only the dead-letter publish can fail here (NATS gone): the message is retried later. */
  private async settleFailure(msg: JsMsg, work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (err) {
      this.options.logger.error({ err, subject: msg.subject }, 'could not settle message');
      msg.nak(this.retryDelay(msg.info.deliveryCount));
    }
  }

  private parse(msg: JsMsg): { event: EventEnvelope<Subject> } | { invalid: string } {
    try {
      const event = validateEvent(JSON.parse(msg.string())) as EventEnvelope<Subject>;
      if (event.subject !== this.bus.names.logical(msg.subject)) {
        throw new Error(`envelope subject "${event.subject}" does not match "${msg.subject}"`);
      }
      return { event };
    } catch (err) {
      return { invalid: `invalid event: ${(err as Error).message}` };
    }
  }

  private async handle(msg: JsMsg, stream: string, event: EventEnvelope<Subject>): Promise<void> {
    const delivery = { deliveryCount: msg.info.deliveryCount, streamSequence: msg.seq };
    const handler = this.handlers.get(event.subject);
    if (!handler) {
      msg.ack(); // another service's business
      return;
    }

    try {
      await handler(event, delivery);
      msg.ack();
    } catch (err) {
      const log = { subject: event.subject, eventId: event.id, deliveryCount: delivery.deliveryCount };
      if (delivery.deliveryCount >= this.maxDeliveries) {
        this.options.logger.error({ ...log, err }, 'event handling failed for the last time: dead-lettering');
        await this.deadLetter(msg, stream, `handler failed ${delivery.deliveryCount} times: ${(err as Error).message}`);
        return;
      }
      const level = err instanceof RetryLaterError ? 'debug' : 'warn';
      this.options.logger[level]({ ...log, err }, 'event handling failed: will retry');
      msg.nak(this.retryDelay(delivery.deliveryCount));
    }
  }

  private retryDelay(deliveryCount: number): number {
    return Math.min(this.retryBaseMs * 2 ** (deliveryCount - 1), 30_000);
  }

  private async deadLetter(msg: JsMsg, stream: string, reason: string): Promise<void> {
    const letter: DeadLetter = {
      reason,
      service: this.options.service,
      subject: this.bus.names.logical(msg.subject),
      stream,
      streamSequence: msg.seq,
      deliveries: msg.info.deliveryCount,
      failedAt: new Date().toISOString(),
      payload: msg.string(),
    };
    await this.bus.js.publish(this.bus.names.deadLetterSubject(this.options.service), JSON.stringify(letter), {
      msgID: `${stream}:${msg.seq}:${this.options.service}`,
    });
    msg.term();
  }
}
