import { signUserToken, type Role } from '@postline/common';
import { sessionCookieFor } from '@postline/common/testing';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/**
 * A signed-up user the benchmark can hand to autocannon: it authenticates
 * with `Authorization: Bearer <jwt>` (as API clients and scripts may), the
 * token signed with the platform's key for the account auth created. In
 * production mode the session cookie is `secure` and would need TLS; a
 * load tool sends it as a plain `Cookie` header all the same (`cookie`: for
 * what a browser does, the HTML pages and the live stream). `request` talks
 * to any origin: the gateway for what is measured, a service's own origin
 * for polling.
 */
export class BenchUser {
  constructor(
    readonly username: string,
    readonly id: string,
    readonly authorization: string,
    /** `session=…`: the cookie a browser signed in as this user sends. */
    readonly cookie: string,
  ) {}

  get headers(): Record<string, string> {
    return { Authorization: this.authorization };
  }

  static async signUp(baseUrl: string, username: string, privateKey: string, role: Role = 'user'): Promise<BenchUser> {
    const email = `${username}@example.test`;
    const res = await fetch(`${baseUrl}/api/users/signup`, {
      method: 'POST',
      // What a TLS-terminating ingress adds: the session cookie is secure in production.
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-Proto': 'https' },
      body: JSON.stringify({ email, username, password: 'correct horse battery' }),
    });
    const body = (await res.json()) as Json;
    if (res.status !== 201) throw new Error(`sign-up of ${username} answered ${res.status}: ${JSON.stringify(body)}`);
    const user = { id: String(body.id), email, username, role };
    const token = signUserToken(user, privateKey, 4 * 3600);
    return new BenchUser(username, user.id, `Bearer ${token}`, sessionCookieFor(user, privateKey, 4 * 3600));
  }

  async request<T = Json>(
    origin: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${origin}${path}`, {
      method,
      headers: { ...this.headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async expect<T = Json>(status: number, origin: string, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(origin, method, path, body);
    if (res.status !== status) {
      throw new Error(
        `${this.username}: ${method} ${path} answered ${res.status}, expected ${status}: ${JSON.stringify(res.body)}`,
      );
    }
    return res.body;
  }
}

/** Runs `task` over `items` with at most `limit` at once. */
export async function inParallel<T, R>(
  items: T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Polls `check` until it returns a truthy value, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
