import { randomUUID } from 'node:crypto';
import type { EventBus } from '@postline/common';
import type { Logger } from 'pino';
import type { ChangeLabels } from '../../domain/change-labels';

/** What a change notice drops things from: the answer caches. */
export interface NoticeTarget {
  drop(labels: readonly string[]): void;
  /** Drops everything; `live`: whether notices arrive (while they may be missed, nothing is kept). */
  clear(live?: boolean): void;
}

interface Notice {
  origin: string;
  /** When the announcing replica had written the change (ms since the epoch). */
  appliedAt: number;
  labels: ChangeLabels;
}

/** A notice as a replica received it: for the tests and the log, how long after the write it arrived. */
export interface ReceivedNotice extends Notice {
  receivedAt: number;
  fromSelf: boolean;
}

const kept = 500;

/**
 * Change notices between query replicas: core NATS (not a stream; nothing to
 * replay: a replica that starts has nothing cached), subject
 * `changes.query.<family>` under the events namespace, like every subject of
 * the bus. The durable consumer hands each event to one replica; that replica,
 * once its write is done, drops the affected answers from its own caches at
 * once and announces the labels; every replica (itself included) drops them
 * on receipt. While the NATS connection is down notices may be missed, so the
 * caches are emptied and keep nothing until it is back.
 */
export class ChangeNotices {
  readonly origin = randomUUID();
  /** The latest notices received (newest last). */
  readonly received: ReceivedNotice[] = [];

  constructor(
    private readonly bus: EventBus,
    private readonly targets: readonly NoticeTarget[],
    private readonly logger: Logger,
  ) {}

  get subject(): string {
    return this.bus.names.wire('changes.query.>');
  }

  start(): void {
    // Ends with the connection (the service's stop closes it).
    this.bus.connection.subscribe(this.subject, {
      callback: (err, msg) => {
        if (err) {
          this.logger.warn({ err }, 'change notices subscription failed: caching off');
          this.clear(false);
          return;
        }
        this.receive(msg.string());
      },
    });
    void this.watchConnection();
  }

  /** After a write: drop here at once, then tell every replica. */
  announce(family: string, labels: ChangeLabels): void {
    if (labels.length === 0) return;
    for (const target of this.targets) target.drop(labels);
    const notice: Notice = { origin: this.origin, appliedAt: Date.now(), labels };
    try {
      this.bus.connection.publish(this.bus.names.wire(`changes.query.${family}`), JSON.stringify(notice));
    } catch (err) {
      // The connection is closing or gone: the other replicas clear everything when theirs drops too.
      this.logger.warn({ err, labels }, 'could not announce a change');
    }
  }

  private receive(payload: string): void {
    let notice: Notice;
    try {
      notice = JSON.parse(payload) as Notice;
      if (!Array.isArray(notice.labels)) throw new Error('no labels');
    } catch (err) {
      this.logger.warn({ err }, 'unreadable change notice: dropping everything');
      this.clear(true);
      return;
    }
    for (const target of this.targets) target.drop(notice.labels);
    this.received.push({ ...notice, receivedAt: Date.now(), fromSelf: notice.origin === this.origin });
    if (this.received.length > kept) this.received.splice(0, this.received.length - kept);
  }

  private clear(live: boolean): void {
    for (const target of this.targets) target.clear(live);
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.bus.connection.status()) {
      if (status.type === 'disconnect') {
        this.logger.warn('NATS disconnected: change notices may be missed, caching off');
        this.clear(false);
      } else if (status.type === 'reconnect') {
        this.logger.info('NATS reconnected: caching on, from empty caches');
        this.clear(true);
      }
    }
  }
}
