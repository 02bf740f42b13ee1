import { Router } from 'express';

export interface ReadinessCheck {
  /** Whether the dependency serves now. */
  ready: () => boolean;
  /** What the service waits for while the check fails, as `/readyz` names it (e.g. `MongoDB at mongodb://db:27017/x (MONGO_URL)`). */
  waitsFor: string;
}

/**
 * `/healthz`: the process is alive and serving. `/readyz`: every dependency
 * check passes (Mongo and NATS connected, consumers running), so the
 * platform may send it traffic; else 503 with `waitingFor`, what is missing.
 */
export function healthRoutes(checks: Record<string, ReadinessCheck>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const results = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, safely(check)]));
    const waitingFor = Object.entries(checks)
      .filter(([name]) => !results[name])
      .map(([, check]) => check.waitsFor);
    if (waitingFor.length === 0) {
      res.json({ status: 'ready', checks: results });
      return;
    }
    res.status(503).json({ status: 'not ready', checks: results, waitingFor });
  });
  return router;
}

function safely(check: ReadinessCheck): boolean {
  try {
    return check.ready();
  } catch {
    return false;
  }
}
