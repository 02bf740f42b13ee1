import { randomUUID } from 'node:crypto';
import type { EventBus } from '@postline/common';
import type { Logger } from 'pino';
import type { ChangeLabels } from '../../domain/change-labels';
import type { LiveAbout } from '../../domain/live-changes';

/** What a change notice drops things from: the answer caches, the search index. */
export interface NoticeTarget {
  drop(labels: readonly string[]): void;
  /** Drops everything; `live`: whether notices arrive (while they may be missed, nothing is kept). */
  clear(live?: boolean): void;
}

/** Where live changes go on every replica: the event streams of `GET /live` (live-hub.ts). */
export interface LiveTarget {
  /** `id`: unique across replicas (announcing replica's origin and its own count). */
  receive(id: string, about: LiveAbout): void;
  /** Changes may have been missed (`live` false: from now on; true: until now, but they arrive again). */
  gap(live: boolean): void;
}

interface Notice {
  origin: string;
  /** When the announcing replica had written the change (ms since the epoch). */
  appliedAt: number;
  labels: ChangeLabels;
  /** What the change is about for live pages, numbered by the announcing replica. */
  live?: { seq: number; about: LiveAbout };
}

/**
 * Who hears the notices. `caches` drop the labels twice on the replica that applied the change:
 * at once, and again on its own notice (an answer built from a read that began before the write
 * may have been stored in between). `followers` hear each notice once, on receipt, everywhere:
 * the search index, whose drop is a read of the post, needs no second chance.
 */
export interface NoticeTargets {
  caches: readonly NoticeTarget[];
  followers?: readonly NoticeTarget[];
  live?: LiveTarget;
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
  private liveSeq = 0;

  private readonly caches: readonly NoticeTarget[];
  private readonly everyTarget: readonly NoticeTarget[];
  private readonly liveTarget?: LiveTarget;

  constructor(
    private readonly bus: EventBus,
    targets: NoticeTargets,
    private readonly logger: Logger,
  ) {
    this.caches = targets.caches;
    this.everyTarget = [...targets.caches, ...(targets.followers ?? [])];
    this.liveTarget = targets.live;
  }

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

  /**
   * After a write: drop here at once, then tell every replica, with what the change is about
   * for the live streams (`live`; each replica reads back what its own streams show).
   */
  announce(family: string, labels: ChangeLabels, live?: LiveAbout): void {
    if (labels.length === 0) return;
    for (const target of this.caches) target.drop(labels);
    this.publish(family, {
      origin: this.origin,
      appliedAt: Date.now(),
      labels,
      ...(live ? { live: { seq: ++this.liveSeq, about: live } } : {}),
    });
  }

  private publish(family: string, notice: Notice): void {
    try {
      this.bus.connection.publish(this.bus.names.wire(`changes.query.${family}`), JSON.stringify(notice));
    } catch (err) {
      // The connection is closing or gone: the other replicas clear everything when theirs drops too.
      this.logger.warn({ err, labels: notice.labels }, 'could not announce a change');
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
    if (notice.labels.length > 0) for (const target of this.everyTarget) target.drop(notice.labels);
    const about = notice.live?.about;
    if (notice.live && isLiveAbout(about)) this.liveTarget?.receive(`${notice.origin}.${notice.live.seq}`, about);
    this.received.push({ ...notice, receivedAt: Date.now(), fromSelf: notice.origin === this.origin });
    if (this.received.length > kept) this.received.splice(0, this.received.length - kept);
  }

  private clear(live: boolean): void {
    for (const target of this.everyTarget) target.clear(live);
    this.liveTarget?.gap(live);
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

function isLiveAbout(about: unknown): about is LiveAbout {
  const a = about as Partial<LiveAbout> | undefined;
  return typeof a?.subject === 'string' && typeof a.postId === 'string' && Array.isArray(a.labels);
}
