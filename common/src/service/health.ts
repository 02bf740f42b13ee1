import { Router } from 'express';

export type ReadinessCheck = () => boolean;

/**
 * `/healthz`: the process is alive and serving. `/readyz`: every dependency
 * check passes (Mongo and NATS connected, consumers running), so the
 * platform may send it traffic.
 */
export function healthRoutes(checks: Record<string, ReadinessCheck>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const results = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, safely(check)]));
    const ready = Object.values(results).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  });
  return router;
}

function safely(check: ReadinessCheck): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
