import { request, type IncomingMessage } from 'node:http';

export interface LiveEvent {
  id?: string;
  event: string;
  data: unknown;
}

export interface LiveClient {
  status: number;
  headers: IncomingMessage['headers'];
  /** Every event received so far (comments, i.e. heartbeats, counted apart). */
  events: LiveEvent[];
  heartbeats: number;
  /** The id of the last event that carried one (what a browser sends as Last-Event-ID). */
  lastEventId?: string;
  /** Resolves with the first event (received or still to come) that `match` accepts. */
  next(match: (event: LiveEvent) => boolean, timeoutMs?: number): Promise<LiveEvent>;
  close(): void;
  closed: Promise<void>;
}

/**
 * A minimal EventSource for the tests: one `GET /api/query/live` on a real
 * socket, the text/event-stream parsed as the HTML standard says (id, event,
 * data lines; a blank line ends an event; `:` starts a comment).
 */
export function openLive(
  port: number,
  options: { post?: string; authorization?: string; lastEventId?: string; path?: string } = {},
): Promise<LiveClient> {
  const path = options.path ?? `/api/query/live${options.post ? `?post=${encodeURIComponent(options.post)}` : ''}`;
  const headers: Record<string, string> = { Accept: 'text/event-stream' };
  if (options.authorization) headers.Authorization = options.authorization;
  if (options.lastEventId) headers['Last-Event-ID'] = options.lastEventId;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const waiters: { match: (e: LiveEvent) => boolean; resolve: (e: LiveEvent) => void }[] = [];
      let buffer = '';
      let closedResolve!: () => void;
      const client: LiveClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        heartbeats: 0,
        next(match, timeoutMs = 10_000) {
          const found = client.events.find(match);
          if (found) return Promise.resolve(found);
          return new Promise((ok, fail) => {
            const timer = setTimeout(
              () =>
                fail(new Error(`no matching live event within ${timeoutMs} ms; got ${JSON.stringify(client.events)}`)),
              timeoutMs,
            );
            waiters.push({
              match,
              resolve: (e) => {
                clearTimeout(timer);
                ok(e);
              },
            });
          });
        },
        close: () => req.destroy(),
        closed: new Promise((r) => (closedResolve = r)),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let id: string | undefined;
          const data: string[] = [];
          let fields = 0;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              client.heartbeats += 1;
              continue;
            }
            const colon = line.indexOf(':');
            const name = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            fields += 1;
            if (name === 'event') event = value;
            else if (name === 'id') id = value;
            else if (name === 'data') data.push(value);
          }
          if (id !== undefined) client.lastEventId = id;
          if (fields === 0 || data.length === 0) continue;
          const text = data.join('\n');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          const received: LiveEvent = { id, event, data: parsed };
          client.events.push(received);
          for (const waiter of [...waiters])
            if (waiter.match(received)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(received);
            }
        }
      });
      res.on('close', () => closedResolve());
      res.on('error', () => closedResolve());
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          try {
            client.events.push({ event: 'error-body', data: JSON.parse(body) });
          } catch {
            client.events.push({ event: 'error-body', data: body });
          }
          resolve(client);
        });
        return;
      }
      resolve(client);
    });
    req.on('error', reject);
    req.end();
  });
}
