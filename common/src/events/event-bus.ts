import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { tracePublish } from '../observability/tracing';
import type { AnyEventEnvelope, EventEnvelope } from './envelope';
import { validateEvent } from './envelope';
import { inboxPrefix } from './permissions';
import { EventNames } from './streams';

export interface EventBusOptions {
  url: string;
  /** Connection name shown by `nats-server` monitoring: the service name. */
  name: string;
  namespace?: string;
  logger: Logger;
  /** Keep retrying the first connection instead of failing (services start before NATS is up). */
  waitOnFirstConnect?: boolean;
  /**
   * Replicas of the streams (STREAM_REPLICAS): new streams get them, and an existing stream with
   * another count is updated to them. Unset (operator tools, tests): created with 1, existing
   * streams left as they are.
   */
  streamReplicas?: number;
  /** Bytes each stream may hold (STREAM_MAX_BYTES; see StreamSettings). */
  streamMaxBytes?: number;
  /**
   * NATS_USER / NATS_PASSWORD: the user this connection acts as (`./permissions.ts`); replies to
   * its requests come to that user's own inbox prefix. Unset: no authentication (a nats-server
   * without users, as the tests run it).
   */
  user?: string;
  password?: string;
}

/** What `ensureStreams` brings every stream to; a setting left out is left as the stream has it. */
export interface StreamSettings {
  /** Copies of each stream (STREAM_REPLICAS). */
  replicas?: number;
  /**
   * Bytes each stream may hold, -1 for no limit. A full stream refuses new events (discard `new`)
   * rather than dropping its oldest: the history is what read models are rebuilt from, so losing
   * its start silently would be worse than the outbox holding new events until an operator makes
   * room (they are kept in the documents, and publishing resumes by itself).
   */
  maxBytes?: number;
}

/** The size limit as a stream's settings: a full stream refuses new messages. */
function sizeLimit(maxBytes: number): Pick<StreamConfig, 'max_bytes' | 'discard'> {
  return { max_bytes: maxBytes, discard: DiscardPolicy.New };
}

/** A NATS connection with JetStream, the stream layout, and typed publishing. */
export class EventBus {
  private reconnectListeners: (() => void)[] = [];
  private connected = true;

  private constructor(
    readonly connection: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly names: EventNames,
    private readonly logger: Logger,
    /** The connection's name: the service publishing (names its publish spans). */
    readonly name: string,
  ) {
    void this.watchStatus();
  }

  static async connect(options: EventBusOptions): Promise<EventBus> {
    const connection = await connect({
      servers: options.url.split(',').map((s) => s.trim()),
      name: options.name,
      // Reconnect forever, through refused credentials too (a user or its secret may come after
      // the service, or be rotated), and notice a server gone without a word in about a minute.
      maxReconnectAttempts: -1,
      ignoreAuthErrorAbort: true,
      reconnectTimeWait: 500,
      pingInterval: 20_000,
      waitOnFirstConnect: options.waitOnFirstConnect ?? false,
      ...natsCredentials(options),
    });
    try {
      const jsm = await jetstreamManager(connection);
      const bus = new EventBus(
        connection,
        jetstream(connection),
        jsm,
        new EventNames(options.namespace),
        options.logger,
        options.name,
      );
      await bus.ensureStreams({ replicas: options.streamReplicas, maxBytes: options.streamMaxBytes });
      return bus;
    } catch (err) {
      // A connect that fails leaves no connection behind (a caller may retry).
      await connection.close();
      throw err;
    }
  }

  get isConnected(): boolean {
    return this.connected && !this.connection.isClosed();
  }

  /** Called after every reconnection: the outbox relay publishes what piled up meanwhile. */
  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  /**
   * Creates the streams if missing, and brings an existing stream to the settings given
   * (`replicas`, `maxBytes`) where it has others: a cluster grown from one server to three keeps
   * the streams made with one replica otherwise (JetStream does not raise them itself; 2.9 changes
   * them by a stream update), and streams made before limits existed keep none. Settings not given
   * are left as they are. Safe to call from every replica at every start.
   */
  async ensureStreams(settings: StreamSettings = {}): Promise<void> {
    const { replicas, maxBytes } = settings;
    for (const { name, subjects, maxAgeSeconds } of this.names.allStreams()) {
      let existing: StreamInfo | undefined;
      try {
        existing = await this.jsm.streams.info(name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (existing) {
        const change: Partial<StreamConfig> = {};
        if (replicas !== undefined && existing.config.num_replicas !== replicas) change.num_replicas = replicas;
        if (maxBytes !== undefined && existing.config.max_bytes !== maxBytes) {
          Object.assign(change, sizeLimit(maxBytes));
        }
        if (Object.keys(change).length > 0) await this.changeSettings(name, existing.config, change);
        continue;
      }
      try {
        await this.jsm.streams.add({
          name,
          subjects,
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          // The full history, never aged out: read models are rebuilt by replaying it (SESSIONS: see streams.ts).
          max_age: maxAgeSeconds * 1_000_000_000,
          max_msgs: -1,
          ...sizeLimit(maxBytes ?? -1),
          duplicate_window: 2 * 60 * 1_000_000_000,
          num_replicas: replicas ?? 1,
        });
      } catch (addErr) {
        // Another replica created it between our look-up and add.
        if (!String(addErr).includes('already in use')) throw addErr;
      }
    }
  }

  /**
   * A failed change is logged, not thrown: the stream serves as it is, and the next start tries
   * again (during a rolling restart of NATS the cluster may briefly lack the servers for it). A
   * change refused by NATS permissions is the stream owner's to make (`./permissions.ts`).
   */
  private async changeSettings(stream: string, from: StreamConfig, change: Partial<StreamConfig>): Promise<void> {
    const was = { replicas: from.num_replicas, maxBytes: from.max_bytes };
    const to = { replicas: change.num_replicas ?? from.num_replicas, maxBytes: change.max_bytes ?? from.max_bytes };
    try {
      await retryWhileBusy(() => this.jsm.streams.update(stream, change));
      this.logger.info({ stream, from: was, to }, 'stream settings changed');
    } catch (err) {
      if (isPermissionViolation(err)) {
        this.logger.debug({ stream, from: was, to }, "stream settings differ; changing them is the stream owner's");
        return;
      }
      this.logger.warn(
        { err, stream, from: was, to },
        'could not change the stream settings; will try at the next start',
      );
    }
  }

  /**
   * Publishes one envelope; the event id is the message id, so JetStream drops a re-publish.
   * With tracing on, the message's headers carry the trace context: the `traceparent` the event
   * was written in (the outbox keeps it), else the active one.
   */
  async publish(event: EventEnvelope | AnyEventEnvelope, trace: { traceparent?: string } = {}): Promise<PubAck> {
    validateEvent(event);
    const subject = this.names.wire(event.subject);
    const payload = JSON.stringify(event);
    const stream = this.names.streamOf(event.subject);
    return tracePublish(
      { service: this.name, subject: event.subject, destination: subject, messageId: event.id, ...trace },
      () => headers(),
      (traceHeaders) =>
        this.js.publish(subject, payload, { msgID: event.id, expect: { streamName: stream }, headers: traceHeaders }),
    );
  }

  async close(): Promise<void> {
    if (!this.connection.isClosed()) await this.connection.drain();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.logger.warn({ server: 'server' in status ? status.server : undefined }, 'NATS disconnected');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger.info('NATS reconnected');
        for (const listener of this.reconnectListeners) listener();
      }
    }
  }
}

/** Connection options for a user, if one is given: credentials and the user's own inbox prefix. */
export function natsCredentials(options: { user?: string; password?: string }) {
  return options.user ? { user: options.user, pass: options.password, inboxPrefix: inboxPrefix(options.user) } : {};
}

/** NATS refused a publish or request for the user's permissions. */
/**
 * A cluster that is electing a stream's leader, or too loaded to answer in the request's time,
 * answers a change with a timeout or "temporarily unavailable": asked again a moment later it
 * applies it, where giving up would leave the stream as it was until the service next starts.
 */
async function retryWhileBusy<T>(attempt: () => Promise<T>, delaysMs = [1_000, 2_000, 4_000]): Promise<T> {
  for (const delayMs of delaysMs) {
    try {
      return await attempt();
    } catch (err) {
      if (!isBusy(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  return attempt();
}

function isBusy(err: unknown): boolean {
  for (let e = err as (Error & { cause?: unknown }) | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'TimeoutError' || e.name === 'NoRespondersError') return true;
    if (/temporarily unavailable|timeout/i.test(String(e.message))) return true;
  }
  return false;
}

export function isPermissionViolation(err: unknown): boolean {
  return (
    /permissions violation/i.test(`${(err as Error)?.name} ${(err as Error)?.message ?? err}`) ||
    (err as Error)?.name === 'PermissionViolationError'
  );
}

export function isNotFound(err: unknown): boolean {
  return /not found/i.test(String((err as Error)?.message ?? err));
}
