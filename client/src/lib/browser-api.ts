import type { ErrorEntry } from './types';

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; errors: ErrorEntry[] };

/**
 * Calls the public API from the browser (same origin as the page, behind the
 * gateway; the session cookie goes along by itself). Never throws: network
 * failures and error answers both come back as `errors` for the UI to show.
 */
export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers:
        body === undefined
          ? { Accept: 'application/json' }
          : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return {
      ok: false,
      status: 0,
      errors: [{ message: 'Could not reach Postline. Check your connection and try again.' }],
    };
  }
  const json = (await res.json().catch(() => null)) as unknown;
  if (res.ok) return { ok: true, status: res.status, data: json as T };
  const errors = (json as { errors?: ErrorEntry[] } | null)?.errors;
  return {
    ok: false,
    status: res.status,
    errors: errors && errors.length > 0 ? errors : [{ message: messageFor(res.status) }],
  };
}

function messageFor(status: number): string {
  if (status === 401) return 'Please sign in first.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many attempts. Please wait a moment.';
  return 'Something went wrong. Please try again.';
}

/** Splits API errors into per-field messages and the rest (shown above the form). */
export function fieldErrors(
  errors: ErrorEntry[],
  fields: readonly string[],
): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const error of errors) {
    if (error.field && fields.includes(error.field)) byField[error.field] ??= error.message;
    else general.push(error.field ? `${error.field}: ${error.message}` : error.message);
  }
  return { byField, general };
}

/** Polls `check` until it returns a value, or gives up after `timeoutMs` (read models follow writes within moments). */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  intervalMs = 300,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
