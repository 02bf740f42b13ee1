import type { KubeObject } from './kustomize';
import type { Route } from './repository';

/**
 * Checks the Kubernetes schemas cannot make: references between objects and
 * the settings every container must have. Each returns a list of problems,
 * empty when all is well, so a test shows every mistake at once.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Container = any;
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);

const nameOf = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
const ofKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const find = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

export const workloads = (objects: KubeObject[]) => objects.filter((o) => WORKLOAD_KINDS.has(o.kind));

function podLabels(workload: KubeObject): Record<string, string> {
  return workload.spec?.template?.metadata?.labels ?? {};
}

function containersOf(workload: KubeObject): Container[] {
  const pod = workload.spec?.template?.spec ?? {};
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The workloads whose pods a label selector picks. */
function selectedWorkloads(objects: KubeObject[], selector: Record<string, string> | undefined): KubeObject[] {
  return workloads(objects).filter((w) => matches(selector, podLabels(w)));
}

function hasPort(containers: Container[], port: string | number): boolean {
  return containers.some((c: Container) =>
    (c.ports ?? []).some((p: Container) => (typeof port === 'number' ? p.containerPort === port : p.name === port)),
  );
}

/** Workload selectors pick their own pods; Services, budgets and policies pick existing pods. */
export function selectorProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    if (!matches(w.spec?.selector?.matchLabels, podLabels(w)))
      problems.push(`${nameOf(w)}: selector does not match its pod labels`);
  }
  for (const s of ofKind(objects, 'Service')) {
    if (selectedWorkloads(objects, s.spec?.selector).length === 0)
      problems.push(`${nameOf(s)}: selector matches no pods`);
  }
  for (const b of ofKind(objects, 'PodDisruptionBudget')) {
    if (selectedWorkloads(objects, b.spec?.selector?.matchLabels).length === 0)
      problems.push(`${nameOf(b)}: selector matches no pods`);
  }
  for (const p of ofKind(objects, 'NetworkPolicy')) {
    if (selectedWorkloads(objects, p.spec?.podSelector?.matchLabels).length === 0)
      problems.push(`${nameOf(p)}: podSelector matches no pods`);
    for (const rule of p.spec?.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        if (peer.podSelector && selectedWorkloads(objects, peer.podSelector.matchLabels).length === 0) {
          problems.push(`${nameOf(p)}: a "from" podSelector matches no pods`);
        }
      }
    }
  }
  return problems;
}

/** Every Service's target ports are ports the selected containers declare. */
export function servicePortProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const s of ofKind(objects, 'Service')) {
    const containers = selectedWorkloads(objects, s.spec?.selector).flatMap(containersOf);
    for (const port of s.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      if (!hasPort(containers, target)) problems.push(`${nameOf(s)}: targetPort ${target} is not a port of its pods`);
    }
  }
  return problems;
}

/** Probes, requests, limits and the security settings, on every container. */
export function containerProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const podSecurity = w.spec?.template?.spec?.securityContext ?? {};
    const containers = containersOf(w);
    for (const c of containers) {
      const where = `${nameOf(w)} container ${c.name}`;
      for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
        if (!c[probe]) problems.push(`${where}: no ${probe}`);
        const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
        if (port !== undefined && !hasPort([c], port))
          problems.push(`${where}: ${probe} uses port ${port}, which it does not declare`);
      }
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (!c.resources?.[kind]?.[resource]) problems.push(`${where}: no ${resource} ${kind}`);
        }
      }
      const security = c.securityContext ?? {};
      if (security.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (security.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if ((security.runAsNonRoot ?? podSecurity.runAsNonRoot) !== true)
        problems.push(`${where}: runAsNonRoot is not true`);
      if ((security.runAsUser ?? podSecurity.runAsUser) === 0) problems.push(`${where}: runs as user 0`);
      if (!(security.capabilities?.drop ?? []).includes('ALL'))
        problems.push(`${where}: capabilities are not all dropped`);
    }
  }
  return problems;
}

/** What every Ingress path and HTTPRoute rule sends traffic to: Service and port. */
export function routeBackends(objects: KubeObject[]): { from: string; service: string; port: string | number }[] {
  const backends = [];
  for (const ingress of ofKind(objects, 'Ingress')) {
    for (const rule of ingress.spec?.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        const service = path.backend?.service;
        backends.push({
          from: `${nameOf(ingress)} ${path.path}`,
          service: service?.name,
          port: service?.port?.name ?? service?.port?.number,
        });
      }
    }
  }
  for (const route of ofKind(objects, 'HTTPRoute')) {
    for (const rule of route.spec?.rules ?? []) {
      for (const ref of rule.backendRefs ?? [])
        backends.push({ from: nameOf(route), service: ref.name, port: ref.port });
    }
  }
  return backends;
}

/** Every route, HPA and GKE health check points at something that exists. */
export function referenceProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const { from, service, port } of routeBackends(objects)) {
    const target = find(objects, 'Service', service);
    const ports = target?.spec?.ports ?? [];
    if (!target) problems.push(`${from}: no Service ${service}`);
    else if (!ports.some((p: Container) => p.name === port || p.port === port))
      problems.push(`${from}: Service ${service} has no port ${port}`);
  }
  for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef;
    if (!find(objects, ref?.kind, ref?.name)) problems.push(`${nameOf(hpa)}: no ${ref?.kind}/${ref?.name} to scale`);
  }
  for (const policy of ofKind(objects, 'HealthCheckPolicy')) {
    const ref = policy.spec?.targetRef;
    const service = find(objects, 'Service', ref?.name);
    if (!service) problems.push(`${nameOf(policy)}: no Service ${ref?.name}`);
    const port = policy.spec?.default?.config?.httpHealthCheck?.port;
    if (service && !hasPort(selectedWorkloads(objects, service.spec?.selector).flatMap(containersOf), port)) {
      problems.push(`${nameOf(policy)}: health check port ${port} is not a port of the Service's pods`);
    }
  }
  for (const w of workloads(objects)) {
    for (const c of containersOf(w)) {
      for (const source of c.envFrom ?? []) {
        const name = source.configMapRef?.name;
        if (name && !find(objects, 'ConfigMap', name)) problems.push(`${nameOf(w)}: no ConfigMap ${name}`);
      }
      const mongoUrl = (c.env ?? []).find((e: Container) => e.name === 'MONGO_URL')?.value as string | undefined;
      const host = mongoUrl && /@([^:/]+)/.exec(mongoUrl)?.[1];
      if (mongoUrl && (!host || !find(objects, 'Service', host)))
        problems.push(`${nameOf(w)}: MONGO_URL host ${host} is no Service`);
    }
    for (const volume of w.spec?.template?.spec?.volumes ?? []) {
      if (volume.configMap && !find(objects, 'ConfigMap', volume.configMap.name))
        problems.push(`${nameOf(w)}: no ConfigMap ${volume.configMap.name}`);
    }
  }
  return problems;
}

/** Secret names and keys the workloads read, as "name key" strings. */
export function secretKeysUsed(objects: KubeObject[]): string[] {
  const used = new Set<string>();
  for (const w of workloads(objects)) {
    for (const c of containersOf(w)) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) used.add(`${ref.name} ${ref.key}`);
      }
    }
  }
  return [...used].sort();
}

/**
 * The public routes an Ingress or HTTPRoute serves, as route-table entries,
 * with anything that is not a plain prefix match reported.
 */
export function servedRoutes(router: KubeObject): { routes: Route[]; problems: string[] } {
  const routes: Route[] = [];
  const problems: string[] = [];
  if (router.kind === 'Ingress') {
    if (router.spec?.ingressClassName !== 'nginx') problems.push(`${nameOf(router)}: ingressClassName is not nginx`);
    for (const [key, value] of Object.entries(router.metadata.annotations ?? {})) {
      if (/use-regex|rewrite-target/.test(key))
        problems.push(`${nameOf(router)}: annotation ${key}=${value} changes path matching`);
    }
    for (const rule of router.spec?.rules ?? []) {
      for (const path of rule.http?.paths ?? []) {
        if (path.pathType !== 'Prefix')
          problems.push(`${nameOf(router)} ${path.path}: pathType ${path.pathType}, not Prefix`);
        routes.push({ prefix: path.path, service: path.backend?.service?.name });
      }
    }
  } else {
    for (const rule of router.spec?.rules ?? []) {
      const services = (rule.backendRefs ?? []).map((r: Container) => r.name);
      for (const match of rule.matches ?? []) {
        if (match.path?.type !== 'PathPrefix')
          problems.push(`${nameOf(router)} ${match.path?.value}: path type ${match.path?.type}, not PathPrefix`);
        if (services.length !== 1)
          problems.push(`${nameOf(router)} ${match.path?.value}: ${services.length} backends, expected 1`);
        routes.push({ prefix: match.path?.value, service: services[0] });
      }
    }
  }
  return { routes, problems };
}

/**
 * A workload with its own name replaced by a placeholder, so services (or
 * databases) that should be identical can be compared.
 */
export function shapeOf(object: KubeObject, ownName: string): string {
  // Whole words only: "auth" must not turn "authSource" into "<name>Source".
  return JSON.stringify(object).replace(new RegExp(`\\b${ownName}\\b`, 'g'), '<name>');
}
