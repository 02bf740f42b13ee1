import http from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query, already percent-encoded where it must be. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * The loopback address the request comes from (127.x.y.z): each is its own
   * client to the gateway, which is what per-address rate limits count by.
   */
  from?: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One request through the gateway with node:http, not fetch: it sends exactly
 * the method, path, headers and bytes given (no normalising), and can pick
 * its source address.
 */
export function send(baseUrl: string, req: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: {
          ...(req.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(req.body)) }),
          ...req.headers,
        },
        localAddress: req.from,
        agent,
        timeout: timeoutMs,
      },
      (res) => {
        if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          // A live stream never ends by design: its status and headers are the answer.
          res.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '', json: undefined });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

export function closeConnections(): void {
  agent.destroy();
}

/** The contract's error body: `{"errors": [{message, field?}, ...]}`, nothing else, at least one entry. */
export function isErrorBody(res: RawResponse): boolean {
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) return false;
  const body = res.json as { errors?: unknown } | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).join() !== 'errors') return false;
  const { errors } = body;
  return (
    Array.isArray(errors) &&
    errors.length > 0 &&
    errors.every(
      (e) =>
        e !== null &&
        typeof e === 'object' &&
        typeof e.message === 'string' &&
        e.message.length > 0 &&
        Object.keys(e).every((k) => k === 'message' || (k === 'field' && typeof e.field === 'string')),
    )
  );
}

/** A session cookie as cookie-session writes it, around any JWT (or anything else). */
export function sessionCookie(jwt: string): string {
  return `session=${Buffer.from(JSON.stringify({ jwt })).toString('base64')}`;
}

/** The JWT inside a `session=` cookie value. */
export function jwtOfCookie(cookie: string): string {
  const value = cookie.replace(/^session=/, '');
  return (JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as { jwt: string }).jwt;
}
