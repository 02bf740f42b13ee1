import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { PageCache } from './page-cache';

/** Far longer than a notice takes to reach every query replica (milliseconds on one NATS cluster). */
const secondDropMs = 250;

export interface ChangeNoticeOptions {
  /** NATS_URL: one or more comma-separated servers. */
  url: string;
  /** EVENTS_NAMESPACE: the prefix of every subject of the platform's bus (none by default). */
  namespace: string;
  log: (level: 'info' | 'warn', message: string, err?: unknown) => void;
  /** NATS_USER / NATS_PASSWORD: the `client` user, which may only hear change notices. Unset: none. */
  user?: string;
  password?: string;
}

/**
 * Follows the query service's change notices (core NATS, `changes.query.<family>` under the events
 * namespace; query/src/entry-points/events/change-notices.ts publishes them after each write to
 * its read model, labels naming what changed). Each client replica subscribes on its own and drops
 * its own cache on every notice that names a change, so every replica shows a change as soon as
 * the query service can answer with it. A notice without labels only carries what live pages show
 * (the query service's event streams send that to the browsers) and changes nothing here.
 *
 * The cache keeps nothing until the subscription is in place, nor while the connection is down
 * (notices may be missed then); it starts again from empty when the connection is back.
 */
export async function followChangeNotices(cache: PageCache, options: ChangeNoticeOptions): Promise<NatsConnection> {
  const connection = await connect({
    servers: options.url.split(',').map((s) => s.trim()),
    name: 'client page cache',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    ...(options.user ? { user: options.user, pass: options.password } : {}),
  });
  const subject = `${options.namespace ? `${options.namespace}.` : ''}changes.query.>`;
  connection.subscribe(subject, {
    callback: (err, msg) => {
      if (err) {
        options.log('warn', 'change notices subscription failed: page cache off', err);
        cache.setLive(false);
        return;
      }
      let labels: unknown;
      try {
        labels = (msg.json() as { labels?: unknown }).labels;
      } catch {
        labels = undefined;
      }
      // An unreadable notice may have named anything.
      if (Array.isArray(labels) && labels.length === 0) return;
      cache.drop();
      // Again a moment later: the notice comes from the query replica that wrote the change, and a
      // render started now may ask another replica that has not dropped its own answers yet.
      setTimeout(() => cache.drop(), secondDropMs).unref();
    },
  });
  // The subscription is registered with the server once a round trip has gone through it.
  await connection.flush();
  cache.setLive(true);
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        options.log('warn', 'NATS disconnected: change notices may be missed, page cache off');
        cache.setLive(false);
      } else if (status.type === 'reconnect') {
        options.log('info', 'NATS reconnected: page cache on, from empty');
        cache.setLive(true);
      }
    }
  })();
  return connection;
}
