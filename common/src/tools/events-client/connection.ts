import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { isNotFound, natsCredentials } from '../../events/event-bus';
import { EventNames } from '../../events/streams';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export interface EventsConnectionOptions {
  /** One or more comma-separated NATS URLs; defaults to NATS_URL, then the local platform. */
  server?: string;
  /** The event namespace (stream and subject prefix); defaults to EVENTS_NAMESPACE, then none. */
  namespace?: string;
  /** Connection name shown by nats-server monitoring. */
  name?: string;
  /** How long to try reaching the server before giving up. */
  connectTimeoutMs?: number;
}

/** NATS is not there (refused, unknown host, timeout): the one error a script most often meets. */
export class NatsUnreachableError extends Error {
  constructor(
    readonly server: string,
    reason: string,
  ) {
    super(`cannot reach NATS at ${server} (${reason})`);
    this.name = 'NatsUnreachableError';
  }
}

/** A stream the operation needs does not exist: usually a wrong namespace, or no service has started yet. */
export class StreamMissingError extends Error {
  constructor(
    readonly stream: string,
    namespace: string,
  ) {
    super(
      `stream ${stream} does not exist ${namespace ? `in namespace "${namespace}"` : '(no namespace)'}: ` +
        'check --namespace / EVENTS_NAMESPACE, or start a service, which creates the streams',
    );
    this.name = 'StreamMissingError';
  }
}

/** An open connection with JetStream and Postline's stream layout for one namespace. */
export class EventsConnection {
  private constructor(
    readonly server: string,
    readonly connection: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly names: EventNames,
  ) {}

  static async open(options: EventsConnectionOptions = {}): Promise<EventsConnection> {
    const server = options.server || process.env.NATS_URL || DEFAULT_NATS_URL;
    const namespace = options.namespace ?? process.env.EVENTS_NAMESPACE ?? '';
    let connection: NatsConnection;
    try {
      connection = await connect({
        servers: server.split(',').map((s) => s.trim()),
        name: options.name ?? 'postline-events',
        timeout: options.connectTimeoutMs ?? 5_000,
        // A long `tail` survives a NATS restart; ordered consumers resume where they were.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        // The operator tools' own NATS user (`tools`, Secret tools-nats-credentials on Kubernetes).
        ...natsCredentials({ user: process.env.NATS_USER, password: process.env.NATS_PASSWORD }),
      });
    } catch (err) {
      throw new NatsUnreachableError(server, connectFailure(err));
    }
    try {
      const jsm = await jetstreamManager(connection);
      return new EventsConnection(server, connection, jetstream(connection), jsm, new EventNames(namespace));
    } catch (err) {
      await connection.close();
      throw new Error(`NATS at ${server} answers, but JetStream is not usable: ${(err as Error).message}`);
    }
  }

  get namespace(): string {
    return this.names.namespace;
  }

  /** The stream's info, or StreamMissingError naming the namespace. */
  async streamInfo(stream: string): Promise<StreamInfo> {
    try {
      return await this.jsm.streams.info(stream);
    } catch (err) {
      if (isNotFound(err)) throw new StreamMissingError(stream, this.namespace);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (!this.connection.isClosed()) await this.connection.close();
  }
}

function connectFailure(err: unknown): string {
  const error = err as Error & { code?: string; cause?: { code?: string } };
  const code = error.cause?.code ?? error.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ERR_INVALID_URL') return 'not a valid URL';
  return error.message || String(err);
}
