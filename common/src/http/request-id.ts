import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const acceptableId = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Keeps the id the gateway or ingress assigned (so one id follows a request
 * across hops) when it looks sane, otherwise makes one; echoed in `X-Request-Id`.
 */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && acceptableId.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}
