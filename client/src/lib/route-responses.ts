import 'server-only';
import { ServiceError } from './server-api';

/** A route segment's value as typed in the URL, decoded once (a malformed escape stays as it is). */
export function decodedParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The platform's error format for a route handler (feeds, sitemaps): `{errors: [{message}]}`. */
export function errorResponse(status: number, message: string): Response {
  return Response.json({ errors: [{ message }] }, { status });
}

/**
 * Runs a route handler's reads; a service that cannot answer becomes a 503 in the platform's
 * error format (instead of Next's HTML error page), anything else is rethrown.
 */
export async function answerRoute(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (err) {
    if (err instanceof ServiceError) return errorResponse(503, 'The blog cannot be read right now; try again shortly');
    throw err;
  }
}
