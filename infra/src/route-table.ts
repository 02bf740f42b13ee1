import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Route {
  prefix: string;
  service: string;
}

/** `infra/routes.json`: the one place that says which service serves which path prefix. */
export function loadRouteTable(file = join(__dirname, '..', 'routes.json')): Route[] {
  const { routes } = JSON.parse(readFileSync(file, 'utf8')) as { routes: Route[] };
  return routes;
}

/**
 * The route for a path by longest matching prefix, matched element-wise like
 * Kubernetes' `pathType: Prefix` (`/api/users` matches `/api/users/x` but not
 * `/api/usersx`), so the gateway, the Ingress and the HTTPRoute agree.
 */
export function matchRoute(routes: Route[], path: string): Route | undefined {
  return routes
    .filter((r) => r.prefix === '/' || path === r.prefix || path.startsWith(`${r.prefix}/`))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
}

/** The services the platform runs, in route-table order. */
export function serviceNames(routes: Route[] = loadRouteTable()): string[] {
  return [...new Set(routes.map((r) => r.service))];
}
