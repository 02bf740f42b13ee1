import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type PubAck,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { tracePublish } from '../observability/tracing';
import type { AnyEventEnvelope, EventEnvelope } from './envelope';
import { validateEvent } from './envelope';
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
      await bus.ensureStreams(options.streamReplicas);
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
   * Creates the streams if missing, and brings an existing stream to `replicas` if that is given
   * and the stream has another count (a cluster grown from one server to three keeps the streams
   * made with one replica otherwise: JetStream does not raise them itself, and 2.9 changes them
   * by a stream update). Safe to call from every replica at every start.
   */
  async ensureStreams(replicas?: number): Promise<void> {
    for (const { name, subjects } of this.names.allStreams()) {
      let existing: StreamInfo | undefined;
      try {
        existing = await this.jsm.streams.info(name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (existing) {
        if (replicas !== undefined && existing.config.num_replicas !== replicas) {
          await this.changeReplicas(name, existing.config.num_replicas, replicas);
        }
        continue;
      }
      try {
        await this.jsm.streams.add({
          name,
          subjects,
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          // The full history: read models are rebuilt by replaying it.
          max_age: 0,
          max_msgs: -1,
          max_bytes: -1,
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
   * again (during a rolling restart of NATS the cluster may briefly lack the servers for it).
   */
  private async changeReplicas(stream: string, from: number, to: number): Promise<void> {
    try {
      await this.jsm.streams.update(stream, { num_replicas: to });
      this.logger.info({ stream, from, to }, 'stream replicas changed');
    } catch (err) {
      this.logger.warn({ err, stream, from, to }, 'could not change the stream replicas; will try at the next start');
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

export function isNotFound(err: unknown): boolean {
  return /not found/i.test(String((err as Error)?.message ?? err));
}
