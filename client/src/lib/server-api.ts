import 'server-only';
import { context, propagation } from '@opentelemetry/api';
import { cache } from 'react';
import { headers } from 'next/headers';
import { serviceOrigin, type ServiceName } from './service-urls';
import type { CurrentUser } from './types';

/** A service answered with an error status; `status` lets pages choose between not-found and an error state. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 8_000;

export interface ReadOptions {
  /**
   * Read as a signed-out reader, whoever asks: what the cached pages show (the same bytes for
   * every reader, client/README.md); the reader's own parts come from the browser.
   */
  anonymous?: boolean;
}

/**
 * GET a JSON resource from a service on behalf of the caller: the caller's
 * cookie (the session, unless `anonymous`) and request id travel along, so
 * answers are personalised exactly as they would be for the browser.
 */
export async function serverGet<T>(service: ServiceName, path: string, options: ReadOptions = {}): Promise<T> {
  const incoming = await headers();
  const forwarded: Record<string, string> = { Accept: 'application/json' };
  const cookie = options.anonymous ? null : incoming.get('cookie');
  if (cookie) forwarded.Cookie = cookie;
  const requestId = incoming.get('x-request-id');
  if (requestId) forwarded['X-Request-Id'] = requestId;
  // With tracing on (src/server-observability.ts), the service's span joins the page's trace; off, this adds nothing.
  propagation.inject(context.active(), forwarded);

  let res: Response;
  try {
    res = await fetch(`${serviceOrigin(service)}${path}`, {
      headers: forwarded,
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new ServiceError(503, `The ${service} service cannot be reached`);
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { errors?: { message: string }[] } | null;
    throw new ServiceError(res.status, body?.errors?.[0]?.message ?? `The ${service} service answered ${res.status}`);
  }
  return (await res.json()) as T;
}

/** Like serverGet, but a 404 is `null` (for pages that show "not found"). */
export async function serverGetOrNull<T>(
  service: ServiceName,
  path: string,
  options: ReadOptions = {},
): Promise<T | null> {
  try {
    return await serverGet<T>(service, path, options);
  } catch (err) {
    if (err instanceof ServiceError && (err.status === 404 || err.status === 400)) return null;
    throw err;
  }
}

/**
 * The signed-in user, once per request (React's cache). When auth cannot be
 * reached the page still renders, signed out, rather than failing as a whole.
 */
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  try {
    const { currentUser } = await serverGet<{ currentUser: CurrentUser | null }>('auth', '/api/users/currentuser');
    return currentUser;
  } catch {
    return null;
  }
});
