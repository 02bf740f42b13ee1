import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { validateEvent, type EventBus, SESSION_STREAM } from '../events';
import type { EndedSessions } from './ended-sessions';

/**
 * Keeps a replica's EndedSessions current: reads every `session.ended` the SESSIONS stream holds
 * (a day at most), then each new one as it comes, through an ordered consumer of the replica's
 * own. Not a durable consumer shared by replicas: every replica must hear every ending.
 */
export class SessionEndings {
  private messages?: ConsumerMessages;
  private reading?: Promise<void>;

  constructor(
    private readonly bus: EventBus,
    private readonly ended: EndedSessions,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the endings the stream held at the start are all known: only then may the replica serve. */
  async start(): Promise<void> {
    const consumer = await this.bus.js.consumers.get(this.bus.names.stream(SESSION_STREAM), {
      filter_subjects: this.bus.names.wire('session.ended'),
      deliver_policy: DeliverPolicy.All,
    });
    const pending = (await consumer.info(true)).num_pending;
    const messages = await consumer.consume();
    this.messages = messages;
    let caughtUp!: () => void;
    const known = new Promise<void>((resolve) => (caughtUp = resolve));
    if (pending === 0) caughtUp();
    this.reading = (async () => {
      for await (const msg of messages) {
        this.learn(msg.json());
        if (msg.info.pending === 0) caughtUp();
      }
    })();
    await known;
  }

  private learn(message: unknown): void {
    try {
      const event = validateEvent(message);
      if (event.subject !== 'session.ended') return;
      this.ended.end(event.data.id, Math.floor(Date.parse(event.data.expiresAt) / 1000));
    } catch (err) {
      // Only auth may publish here (NATS permissions); a malformed message is logged and skipped.
      this.logger.error({ err }, 'ignored a message on the sessions stream that is not a valid session.ended');
    }
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.reading?.catch(() => undefined);
  }
}
