import {
  AckPolicy,
  DeliverPolicy,
  type Consumer,
  type ConsumerConfig,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { traceConsume } from '../observability/tracing';
import { aggregateTypeOf, subjects, type Subject } from './catalogue';
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

/**
 * How long a pull waits for messages before the server ends it: a stop waits
 * up to this for the last pull to end. The client library's minimum.
 */
const PULL_EXPIRES_MS = 1_000;

const aggregateTypes = [...new Set(subjects.map(aggregateTypeOf))];

/** One lane per aggregate: a comment and moderation's record of it share an id, not a version sequence. */
function laneKey(event: EventEnvelope<Subject>): string {
  return `${aggregateTypeOf(event.subject)}:${event.aggregateId}`;
}

/** A message in hand, waiting in its aggregate's lane or being handled. */
interface HeldMessage {
  msg: JsMsg;
  stream: string;
  event: EventEnvelope<Subject>;
  /** Tries so far, counting JetStream's deliveries and the waits in the lane. */
  attempt: number;
}

interface Lane {
  /** Lowest version first (then stream order). */
  messages: HeldMessage[];
  /** Ends the current wait between retries, if any. */
  wake?: () => void;
}

/** Queues `item` by version, then stream order: the lane always handles its lowest version next. */
function insertInVersionOrder(messages: HeldMessage[], item: HeldMessage): void {
  const index = messages.findIndex(
    (m) => m.event.version > item.event.version || (m.event.version === item.event.version && m.msg.seq > item.msg.seq),
  );
  messages.splice(index === -1 ? messages.length : index, 0, item);
}

/** What a dead-lettered message carries: the reason, and the original untouched. */
export interface DeadLetter {
  reason: string;
  service: string;
  subject: string;
  stream: string;
  streamSequence: number;
  /** Attempts made: JetStream deliveries plus the retries the listener made while holding it. */
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
  /** Redelivery after this long without an ack (default 30 s). */
  ackWaitMs?: number;
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
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    // The listener dead-letters after maxDeliveries; this is only the backstop
    // for a message that kills the process every time it is handled.
    max_deliver: options.maxDeliveries + 2,
    max_ack_pending: 1_000,
  };
}

/** What the listener reports as it goes (the service's metrics listen). */
export interface ListenerObserver {
  /** One try of a handler, until its ack or failure. */
  handled(subject: string, seconds: number, failed: boolean): void;
  deadLettered(subject: string): void;
}

export interface EventListenerOptions {
  /** Names the durable consumers, shared by all replicas of the service. */
  service: string;
  logger: Logger;
  /** Attempts before a failing message is dead-lettered. */
  maxDeliveries?: number;
  /** First retry delay; doubles each attempt, capped at 30 s. */
  retryBaseMs?: number;
  /** The consumers' ack wait (default 30 s); a running consumer with another one is updated at start. */
  ackWaitMs?: number;
  /** Messages handled at once across aggregates (one at a time within an aggregate). */
  maxInFlight?: number;
  observer?: ListenerObserver;
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
  /** The pulls under way, one per stream. */
  private readonly pulls = new Set<ConsumerMessages>();
  /** Streams whose last pull failed (NATS away, the consumer gone): not running. */
  private readonly failingLoops = new Set<string>();
  private readonly loops: Promise<void>[] = [];
  private readonly maxDeliveries: number;
  private readonly retryBaseMs: number;
  private readonly maxInFlight: number;
  private started = false;
  /** Aggregate (type and id) → its messages in hand, handled one at a time. */
  private readonly lanes = new Map<string, Lane>();
  /** Messages in hand across lanes (bounded by maxInFlight), and who waits for room. */
  private held = 0;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  /** Ends of the waits between retries in progress: stop() cuts them short. */
  private readonly sleepers = new Set<() => void>();

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
    return this.started && !this.stopping && this.failingLoops.size === 0;
  }

  /** The durable consumer names (stream → consumer) this listener uses. */
  consumerNames(): { stream: string; consumer: string }[] {
    return this.families().map((family) => ({
      stream: this.bus.names.stream(family.stream),
      consumer: this.options.service,
    }));
  }

  /** Creates or updates the consumers, then pulls; if that fails (NATS away), it may simply be called again. */
  async start(): Promise<void> {
    if (this.started) return;
    const consumers: [Consumer, string][] = [];
    for (const family of this.families()) {
      const stream = this.bus.names.stream(family.stream);
      await this.ensureConsumer(stream, this.filterSubject(family.family));
      consumers.push([await this.bus.js.consumers.get(stream, this.options.service), stream]);
    }
    this.started = true;
    for (const [consumer, stream] of consumers) this.loops.push(this.run(consumer, stream));
  }

  /**
   * Pulls no more, and handles every message the last pulls bring (only waits
   * between retries are cut short, those messages going back to JetStream).
   * It waits for the server to end those pulls rather than unsubscribing: a
   * message the server has already sent to an inbox that is gone stays
   * assigned to this listener until the ack wait (30 s) runs out.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.sleepers) wake();
    // The server ends a pull within its expiry; one cut off from the server never hears that.
    const giveUp = setTimeout(() => {
      for (const pull of this.pulls) pull.stop();
    }, PULL_EXPIRES_MS + 2_000);
    await Promise.all(this.loops);
    clearTimeout(giveUp);
    await Promise.all(this.inFlight);
    this.stopping = false;
    this.started = false;
    this.loops.length = 0;
  }

  private families() {
    const subjects = [...this.handlers.keys()];
    return streamFamilies.filter((f) => subjects.some((s) => s.startsWith(`${f.family}.`)));
  }

  /**
   * What the consumer takes from a family's stream: the one subject this service handles there,
   * else the whole family (nats-server 2.9 takes one filter subject per consumer). Every message
   * of a subject nobody here handles costs a delivery, a parse and an acknowledgement: the
   * comments service, which handles `comment.moderated` alone, was handed three per comment.
   */
  private filterSubject(family: string): string {
    const handled = [...this.handlers.keys()].filter((s) => s.startsWith(`${family}.`));
    return this.bus.names.wire(handled.length === 1 ? handled[0]! : `${family}.>`);
  }

  private async ensureConsumer(stream: string, filterSubject: string): Promise<void> {
    const wanted = durableConsumerConfig({
      service: this.options.service,
      filterSubject,
      maxDeliveries: this.maxDeliveries,
      ackWaitMs: this.options.ackWaitMs,
    });
    let existing: ConsumerConfig;
    try {
      existing = (await this.bus.jsm.consumers.info(stream, this.options.service)).config;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.bus.jsm.consumers.add(stream, wanted);
      return;
    }
    // An operator's new settings, or handlers added or removed, take effect on the next start (all
    // three are editable on a live consumer, which keeps its position: nats-server 2.9 included).
    if (
      existing.ack_wait !== wanted.ack_wait ||
      existing.max_deliver !== wanted.max_deliver ||
      existing.filter_subject !== wanted.filter_subject
    ) {
      await this.bus.jsm.consumers.update(stream, this.options.service, {
        ack_wait: wanted.ack_wait,
        max_deliver: wanted.max_deliver,
        filter_subject: wanted.filter_subject,
      });
    }
  }

  /**
   * One pull at a time, of up to maxInFlight messages, each ended by the
   * server (the batch delivered, or the expiry): the next pull goes out once
   * the last one's messages are in hand, which is also the back-pressure.
   */
  private async run(consumer: Consumer, stream: string): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let pull: ConsumerMessages | undefined;
      try {
        pull = await consumer.fetch({ max_messages: this.maxInFlight, expires: PULL_EXPIRES_MS });
        this.pulls.add(pull);
        await this.consumeAll(pull, stream);
        if (failures > 0) this.options.logger.info({ stream }, 'pulling events again');
        failures = 0;
        this.failingLoops.delete(stream);
      } catch (err) {
        if (this.stopping) break;
        failures++;
        this.failingLoops.add(stream);
        // Once per failure, with back-off: NATS away logs a line every few seconds, not a flood.
        this.options.logger.warn({ err, stream, failures }, 'pulling events failed: will pull again');
        await this.sleep(Math.min(250 * 2 ** (failures - 1), 5_000));
      } finally {
        if (pull) this.pulls.delete(pull);
      }
    }
  }

  private async consumeAll(messages: ConsumerMessages, stream: string): Promise<void> {
    for await (const msg of messages) {
      while (this.held >= this.maxInFlight) await new Promise<void>((r) => this.roomWaiters.push(r));
      const parsed = this.parse(msg);
      if ('invalid' in parsed) {
        this.track(this.deadLetterOrRetry({ msg, stream, attempt: msg.info.deliveryCount }, parsed.invalid));
        continue;
      }
      const { event } = parsed;
      const item: HeldMessage = { msg, stream, event, attempt: msg.info.deliveryCount };
      this.held++;
      const key = laneKey(event);
      const lane = this.lanes.get(key);
      if (lane) {
        insertInVersionOrder(lane.messages, item);
        lane.wake?.(); // the newcomer may be the version the lane waits for
      } else {
        const created: Lane = { messages: [item] };
        this.lanes.set(key, created);
        this.track(this.drain(key, created));
      }
    }
  }

  /**
   * Handles a lane's messages one at a time, lowest version first. A handler
   * that cannot apply its event yet (RetryLaterError: it skips a version, or
   * what it needs has not arrived) is retried here with back-off, holding the
   * lane, so the aggregate's later events wait behind it instead of failing
   * ahead of it and using up their attempts; a newcomer to the lane (perhaps
   * the missing version) ends the wait at once. Other failures (the database
   * unreachable) go back to JetStream for a delayed redelivery.
   */
  private async drain(key: string, lane: Lane): Promise<void> {
    while (lane.messages.length > 0) {
      const item = lane.messages[0]!;
      if ((await this.handleOnce(item)) === 'settled') {
        lane.messages.splice(lane.messages.indexOf(item), 1);
        this.release();
        this.wakeSiblings(item.event);
        continue;
      }
      if (lane.messages[0] !== item) continue; // a lower version came in meanwhile: it goes first
      item.msg.working(); // no redelivery meanwhile, while the wait is shorter than the ack wait
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.retryDelay(item.attempt));
        const wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
        lane.wake = wake;
        this.sleepers.add(wake);
      });
      this.sleepers.delete(lane.wake!);
      lane.wake = undefined;
      if (!woken) item.attempt++;
    }
    this.lanes.delete(key);
  }

  /**
   * Aggregates of other types with the same id depend on each other (moderation's record of a
   * comment waits for the comment): a lane of theirs waiting may now go on.
   */
  private wakeSiblings(event: EventEnvelope<Subject>): void {
    const own = aggregateTypeOf(event.subject);
    for (const type of aggregateTypes) {
      if (type !== own) this.lanes.get(`${type}:${event.aggregateId}`)?.wake?.();
    }
  }

  /** Waits, cut short by stop(). */
  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private release(): void {
    this.held--;
    this.roomWaiters.shift()?.();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.then(() => this.inFlight.delete(work));
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

  /** One try: `wait` when the handler asked to be retried later and this lane should hold it. */
  private async handleOnce(item: HeldMessage): Promise<'settled' | 'wait'> {
    const { msg, event, attempt } = item;
    const handler = this.handlers.get(event.subject);
    if (!handler) {
      msg.ack(); // another service's business
      return 'settled';
    }
    const started = performance.now();
    const observe = (failed: boolean) =>
      this.options.observer?.handled(event.subject, (performance.now() - started) / 1000, failed);
    try {
      await traceConsume(
        {
          service: this.options.service,
          subject: event.subject,
          destination: msg.subject,
          messageId: event.id,
          deliveryCount: attempt,
        },
        msg.headers,
        () => handler(event, { deliveryCount: attempt, streamSequence: msg.seq }),
      );
      msg.ack();
      observe(false);
      return 'settled';
    } catch (err) {
      observe(true);
      const log = { subject: event.subject, eventId: event.id, attempt };
      if (attempt >= this.maxDeliveries) {
        this.options.logger.error({ ...log, err }, 'event handling failed for the last time: dead-lettering');
        await this.deadLetterOrRetry(item, `handler failed ${attempt} times: ${(err as Error).message}`);
        return 'settled';
      }
      const waitHere = err instanceof RetryLaterError && !this.stopping;
      this.options.logger[waitHere ? 'debug' : 'warn']({ ...log, err }, 'event handling failed: will retry');
      if (waitHere) return 'wait';
      msg.nak(this.retryDelay(attempt));
      return 'settled';
    }
  }

  /** Dead-letters the message; if that publish fails (NATS gone), it is retried later instead. */
  private async deadLetterOrRetry(item: Pick<HeldMessage, 'msg' | 'stream' | 'attempt'>, reason: string) {
    try {
      await this.deadLetter(item.msg, item.stream, reason, item.attempt);
    } catch (err) {
      this.options.logger.error({ err, subject: item.msg.subject }, 'could not dead-letter message');
      item.msg.nak(this.retryDelay(item.attempt));
    }
  }

  private retryDelay(deliveryCount: number): number {
    return Math.min(this.retryBaseMs * 2 ** (deliveryCount - 1), 30_000);
  }

  private async deadLetter(msg: JsMsg, stream: string, reason: string, attempts: number): Promise<void> {
    const letter: DeadLetter = {
      reason,
      service: this.options.service,
      subject: this.bus.names.logical(msg.subject),
      stream,
      streamSequence: msg.seq,
      deliveries: attempts,
      failedAt: new Date().toISOString(),
      payload: msg.string(),
    };
    await this.bus.js.publish(this.bus.names.deadLetterSubject(this.options.service), JSON.stringify(letter), {
      msgID: `${stream}:${msg.seq}:${this.options.service}`,
    });
    msg.term();
    this.options.observer?.deadLettered(letter.subject);
  }
}
