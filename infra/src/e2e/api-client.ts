import type { EventsClient, TailedEvent } from '@postline/common/tools';
import { eventually, linkToken, repositoryRoot, type Mailbox } from '@postline/common/testing';
import { commandFor } from '../local/local-services';

// Responses are whatever JSON the API answers; tests narrow them with their own types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/**
 * A tiny HTTP client for end-to-end tests: one signed-in (or anonymous) user
 * talking to the platform through the gateway, keeping its session cookie.
 */
export class ApiUser {
  private cookie?: string;

  constructor(
    private readonly baseUrl: string,
    readonly name = 'anonymous',
  ) {}

  /** The answer's JSON, or undefined when it has none (`text` then says what came instead). */
  async request<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<{ status: number; body: T; text: string }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(this.cookie ? { Cookie: this.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith('session=')) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    return { status: res.status, body: parseJson(text) as T, text };
  }

  /** The same session against another origin: a service's own port, bypassing the gateway. */
  at(baseUrl: string): ApiUser {
    const other = new ApiUser(baseUrl, this.name);
    other.cookie = this.cookie;
    return other;
  }

  /** Like `request`, but fails the test unless the status is the expected one. */
  async expect<T = Json>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (res.status !== status) {
      throw new Error(
        `${this.name}: ${method} ${path} answered ${res.status}, expected ${status}: ${JSON.stringify(res.body)}`,
      );
    }
    return res.body;
  }

  static async signUp(baseUrl: string, username: string): Promise<ApiUser & { id: string }> {
    const user = new ApiUser(baseUrl, username) as ApiUser & { id: string };
    const created = await user.expect(201, 'POST', '/api/users/signup', {
      email: `${username}@example.test`,
      username,
      password: 'correct horse battery',
    });
    user.id = created.id;
    return user;
  }

  /**
   * Follows the verification link auth mailed to `email` (read from the platform's inbox): the
   * account then holds the address, and a moderator's address its role (the session is renewed).
   */
  async verifyEmail(mailbox: Mailbox, email = `${this.name}@example.test`): Promise<void> {
    const mail = await mailbox.waitForMail(email);
    await this.expect(200, 'POST', '/api/users/verify-email', { token: linkToken(mail) });
  }

  /** Signs up `count` users named `<prefix><n>`, a few at a time. */
  static signUpMany(baseUrl: string, prefix: string, count: number): Promise<(ApiUser & { id: string })[]> {
    const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
    return mapConcurrently(names, 8, (name) => ApiUser.signUp(baseUrl, name));
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in the order of `items`. */
export async function mapConcurrently<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>) {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Every event of one aggregate in the stream of its family (`post`, `comment`,
 * `user`), in stream order, as JetStream holds it now.
 */
export async function eventsOf(
  events: EventsClient,
  family: 'user' | 'post' | 'comment',
  aggregateId: string,
): Promise<TailedEvent[]> {
  const tail = await events.tail(`${family}.>`, { fromSeq: 1, stopAtEnd: true });
  const found: TailedEvent[] = [];
  try {
    for await (const tailed of tail) if (tailed.event?.aggregateId === aggregateId) found.push(tailed);
  } finally {
    tail.stop();
  }
  return found;
}

/**
 * Whether a service's durable consumer on a stream (base name: `POSTS`, ...)
 * has acknowledged everything up to `seq`; services acknowledge after their
 * database write, so the service then holds what those events said.
 */
export async function consumedUpTo(events: EventsClient, service: string, stream: string, seq: number) {
  const name = events.connection.names.stream(stream);
  const consumer = (await events.consumers()).find((c) => c.service === service && c.stream === name);
  return consumer !== undefined && consumer.ackFloorSeq >= seq;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until every service of a platform answers its own readiness check again (the client, which
 * has no database, its /healthz), as after a restart of something they depend on.
 */
export async function allReady(services: Record<string, string>, timeoutMs: number): Promise<void> {
  for (const [name, origin] of Object.entries(services)) {
    const path = commandFor(repositoryRoot(__dirname), name)?.readinessPath ?? '/readyz';
    await eventually(
      async () => {
        const res = await fetch(`${origin}${path}`, { signal: AbortSignal.timeout(2_000) });
        // Not ready: its answer says which check fails, for the message if it never is.
        if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
        return true;
      },
      timeoutMs,
      `${name} ready again`,
    );
  }
}
