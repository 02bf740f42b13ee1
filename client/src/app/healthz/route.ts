/**
 * `GET /healthz`: the Next.js server is up. Kubernetes probes it, and so does
 * the local runtime before it opens the gateway. It checks no service: the
 * pages themselves show an error when one is down.
 */
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' });
}
