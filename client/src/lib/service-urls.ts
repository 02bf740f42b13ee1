import 'server-only';

/**
 * Where server-side rendering reaches each service: its own origin from
 * `<SERVICE>_URL` (e.g. `http://query:3000` in Kubernetes, set by the local
 * runtime to each process's port), else the gateway. Paths keep their
 * `/api/...` prefix either way, so one route table serves both.
 * Read at request time, not build time, so one build runs anywhere.
 */
export type ServiceName = 'auth' | 'posts' | 'comments' | 'moderation' | 'query';

const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';

export function serviceOrigin(service: ServiceName, env: NodeJS.ProcessEnv = process.env): string {
  const own = env[`${service.toUpperCase()}_URL`];
  const origin = own && own.trim() !== '' ? own : (env.GATEWAY_URL ?? DEFAULT_GATEWAY_URL);
  return origin.replace(/\/+$/, '');
}
