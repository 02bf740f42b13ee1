import type { KubeObject } from './kustomize';
import type { Route } from './repository';

/**
 * Checks the Kubernetes schemas cannot make: references between objects and
 * the settings every container must have. Each returns a list of problems,
 * empty when all is well, so a test shows every mistake at once.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Container = any;
/** What runs pods that stay up (and have selectors, probes, replicas). */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);
/** What runs pods to completion. */
const JOB_KINDS = new Set(['Job', 'CronJob']);

export const nameOf = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
export const ofKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const find = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

export const workloads = (objects: KubeObject[]) => objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
/** Everything with a pod template: the workloads, Jobs and CronJobs. */
export const podOwners = (objects: KubeObject[]) =>
  objects.filter((o) => WORKLOAD_KINDS.has(o.kind) || JOB_KINDS.has(o.kind));

export function podTemplate(owner: KubeObject): { metadata?: { labels?: Record<string, string> }; spec?: Container } {
  return (owner.kind === 'CronJob' ? owner.spec?.jobTemplate?.spec?.template : owner.spec?.template) ?? {};
}

export function podLabels(owner: KubeObject): Record<string, string> {
  return podTemplate(owner).metadata?.labels ?? {};
}

export function containersOf(owner: KubeObject): Container[] {
  const pod = podTemplate(owner).spec ?? {};
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

/** A Kubernetes label selector (matchLabels and matchExpressions) against a pod's labels. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const expressionsOf = (selector: LabelSelector | undefined) => [
  ...Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
  ...(selector?.matchExpressions ?? []),
];

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  // An empty selector would pick every pod: never what a manifest here means.
  return expressionsOf(selector).length > 0 && matchesSelector(selector, labels);
}

/** A label selector as Kubernetes reads it (a NetworkPolicy's, say): an empty one selects every pod. */
export function matchesSelector(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  return expressionsOf(selector).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    if (operator === 'In') return value !== undefined && values.includes(value);
    if (operator === 'NotIn') return value === undefined || !values.includes(value);
    if (operator === 'Exists') return value !== undefined;
    if (operator === 'DoesNotExist') return value === undefined;
    return false;
  });
}

/** The workloads whose pods a label selector picks. */
export function selectedWorkloads(objects: KubeObject[], selector: LabelSelector | undefined): KubeObject[] {
  return workloads(objects).filter((w) => selects(selector, podLabels(w)));
}

/** The workloads whose pods a Service sends traffic to (its selector is a plain label map). */
const serviceWorkloads = (objects: KubeObject[], service: KubeObject) =>
  selectedWorkloads(objects, { matchLabels: service.spec?.selector });

function hasPort(containers: Container[], port: string | number): boolean {
  return containers.some((c: Container) =>
    (c.ports ?? []).some((p: Container) => (typeof port === 'number' ? p.containerPort === port : p.name === port)),
  );
}

/**
 * Workload selectors pick their own pods; Services and budgets pick existing pods
 * (NetworkPolicies' selectors, where empty means every pod: network-policies.ts).
 */
export function selectorProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    if (!selects(w.spec?.selector, podLabels(w))) problems.push(`${nameOf(w)}: selector does not match its pod labels`);
  }
  for (const s of ofKind(objects, 'Service')) {
    if (serviceWorkloads(objects, s).length === 0) problems.push(`${nameOf(s)}: selector matches no pods`);
  }
  for (const b of ofKind(objects, 'PodDisruptionBudget')) {
    if (selectedWorkloads(objects, b.spec?.selector).length === 0)
      problems.push(`${nameOf(b)}: selector matches no pods`);
  }
  return problems;
}

/** Every Service's target ports are ports the selected containers declare. */
export function servicePortProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const s of ofKind(objects, 'Service')) {
    const containers = serviceWorkloads(objects, s).flatMap(containersOf);
    for (const port of s.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      if (!hasPort(containers, target)) problems.push(`${nameOf(s)}: targetPort ${target} is not a port of its pods`);
    }
  }
  return problems;
}

/**
 * Requests, limits and the security settings on every container; probes on
 * every container that stays up (not init containers, not Jobs' containers).
 */
export function containerProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  for (const w of podOwners(objects)) {
    const pod = podTemplate(w).spec ?? {};
    const longRunning = new Set(WORKLOAD_KINDS.has(w.kind) ? pod.containers : []);
    for (const c of containersOf(w)) {
      problems.push(
        ...containerSettingProblems(`${nameOf(w)} container ${c.name}`, c, pod.securityContext, longRunning.has(c)),
      );
    }
  }
  return problems;
}

/** One container's probes (if it stays up), requests, limits and security settings (its own, or its pod's). */
export function containerSettingProblems(
  where: string,
  c: Container,
  podSecurity: Container = {},
  longRunning: boolean,
): string[] {
  const problems: string[] = [];
  for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
    if (!c[probe] && longRunning) problems.push(`${where}: no ${probe}`);
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
  if ((security.runAsNonRoot ?? podSecurity?.runAsNonRoot) !== true)
    problems.push(`${where}: runAsNonRoot is not true`);
  if ((security.runAsUser ?? podSecurity?.runAsUser) === 0) problems.push(`${where}: runs as user 0`);
  if (!(security.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities are not all dropped`);
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
  for (const policy of ofKind(objects, 'GCPBackendPolicy')) {
    const ref = policy.spec?.targetRef;
    if (!find(objects, 'Service', ref?.name)) problems.push(`${nameOf(policy)}: no Service ${ref?.name}`);
  }
  for (const policy of ofKind(objects, 'HealthCheckPolicy')) {
    const ref = policy.spec?.targetRef;
    const service = find(objects, 'Service', ref?.name);
    if (!service) problems.push(`${nameOf(policy)}: no Service ${ref?.name}`);
    const port = policy.spec?.default?.config?.httpHealthCheck?.port;
    if (service && !hasPort(serviceWorkloads(objects, service).flatMap(containersOf), port)) {
      problems.push(`${nameOf(policy)}: health check port ${port} is not a port of the Service's pods`);
    }
  }
  for (const w of podOwners(objects)) {
    const pod = podTemplate(w).spec ?? {};
    const account = pod.serviceAccountName;
    if (account && !find(objects, 'ServiceAccount', account))
      problems.push(`${nameOf(w)}: no ServiceAccount ${account}`);
    for (const c of containersOf(w)) {
      const configMaps = [
        ...(c.envFrom ?? []).map((source: Container) => source.configMapRef?.name),
        ...(c.env ?? []).map((e: Container) => e.valueFrom?.configMapKeyRef?.name),
      ];
      for (const name of configMaps) {
        if (name && !find(objects, 'ConfigMap', name)) problems.push(`${nameOf(w)}: no ConfigMap ${name}`);
      }
    }
    for (const volume of pod.volumes ?? []) {
      if (volume.configMap && !find(objects, 'ConfigMap', volume.configMap.name))
        problems.push(`${nameOf(w)}: no ConfigMap ${volume.configMap.name}`);
    }
  }
  return problems;
}

/** Secret names and keys the pods read (from env or volumes), as "name key" strings. */
export function secretKeysUsed(objects: KubeObject[]): string[] {
  return [...new Set(podOwners(objects).flatMap((w) => secretKeysReadBy(w)))].sort();
}

/** The workloads (`Kind/name`) whose pods read a Secret, by env or volume. */
export function readersOfSecret(objects: KubeObject[], secret: string): string[] {
  return podOwners(objects)
    .filter((w) => secretKeysReadBy(w).some((used) => used.startsWith(`${secret} `)))
    .map(nameOf)
    .sort();
}

function secretKeysReadBy(w: KubeObject): string[] {
  const used = new Set<string>();
  for (const c of containersOf(w)) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) used.add(`${ref.name} ${ref.key}`);
    }
    for (const from of c.envFrom ?? []) if (from.secretRef) used.add(`${from.secretRef.name} (every key)`);
  }
  for (const volume of podTemplate(w).spec?.volumes ?? []) {
    for (const item of volume.secret?.items ?? []) used.add(`${volume.secret.secretName} ${item.key}`);
    if (volume.secret && !volume.secret.items) used.add(`${volume.secret.secretName} (every key)`);
  }
  return [...used];
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

/** The fewest pods a workload runs: its autoscaler's minimum, else its replicas. */
export function replicasOf(objects: KubeObject[], workload: KubeObject): number {
  const autoscaler = ofKind(objects, 'HorizontalPodAutoscaler').find(
    (h) => h.spec?.scaleTargetRef?.kind === workload.kind && h.spec?.scaleTargetRef?.name === workload.metadata.name,
  );
  return autoscaler?.spec?.minReplicas ?? workload.spec?.replicas ?? 1;
}

interface SpreadConstraint {
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelector;
  matchLabelKeys?: string[];
  minDomains?: number;
}

/**
 * Pods that keep replicated data (StatefulSets of more than one pod) must land
 * one per zone and one per node: a DoNotSchedule spread over zones (minDomains
 * at least the pod count), and a spread or required anti-affinity over nodes,
 * each counting the workload's own pods and no other workload's.
 */
export function spreadProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const others = (w: KubeObject) => podOwners(objects).filter((o) => o !== w);
  for (const w of ofKind(objects, 'StatefulSet').filter((s) => replicasOf(objects, s) > 1)) {
    const labels = podLabels(w);
    const pod = podTemplate(w).spec ?? {};
    // A selector and the pod's own values of matchLabelKeys: the pods a constraint counts.
    const ownPodsOnly = (selector: LabelSelector | undefined, keys: string[] = []) => {
      const effective = {
        ...selector,
        matchExpressions: [
          ...(selector?.matchExpressions ?? []),
          ...keys.map((key) => ({ key, operator: 'In', values: [labels[key] ?? ''] })),
        ],
      };
      return selects(effective, labels) && !others(w).some((o) => selects(effective, podLabels(o)));
    };
    const spread = (topologyKey: string) =>
      (pod.topologySpreadConstraints ?? []).filter(
        (c: SpreadConstraint) =>
          c.topologyKey === topologyKey &&
          c.whenUnsatisfiable === 'DoNotSchedule' &&
          ownPodsOnly(c.labelSelector, c.matchLabelKeys),
      );
    const zones = spread('topology.kubernetes.io/zone');
    if (!zones.some((c: SpreadConstraint) => (c.minDomains ?? 1) >= replicasOf(objects, w)))
      problems.push(`${nameOf(w)}: not spread over as many zones as it has pods (DoNotSchedule, minDomains)`);
    const antiAffinity = (pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).filter(
      (term: { topologyKey: string; labelSelector?: LabelSelector; matchLabelKeys?: string[] }) =>
        term.topologyKey === 'kubernetes.io/hostname' && ownPodsOnly(term.labelSelector, term.matchLabelKeys),
    );
    if (spread('kubernetes.io/hostname').length === 0 && antiAffinity.length === 0)
      problems.push(`${nameOf(w)}: pods may share a node (no hostname spread or required anti-affinity)`);
  }
  return problems;
}

/**
 * Every workload of more than one pod has exactly one PodDisruptionBudget, and
 * it lets a node drain (at least one pod may go) without taking a quorum
 * (StatefulSets keep a majority of their pods).
 */
export function disruptionBudgetProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  const budgets = ofKind(objects, 'PodDisruptionBudget');
  for (const w of workloads(objects)) {
    const replicas = replicasOf(objects, w);
    if (replicas < 2) continue;
    const covering = budgets.filter((b) => selects(b.spec?.selector, podLabels(w)));
    if (covering.length !== 1) {
      problems.push(`${nameOf(w)}: ${replicas} pods and ${covering.length} PodDisruptionBudgets, not 1`);
      continue;
    }
    const { minAvailable, maxUnavailable } = covering[0]!.spec ?? {};
    const mayGo = maxUnavailable ?? replicas - (minAvailable ?? replicas);
    if (typeof mayGo !== 'number' || mayGo < 1) problems.push(`${nameOf(w)}: its budget lets no pod go (drains hang)`);
    else if (w.kind === 'StatefulSet' && replicas - mayGo <= replicas / 2)
      problems.push(`${nameOf(w)}: its budget lets a majority of its ${replicas} pods go`);
  }
  return problems;
}

/**
 * Every persistent volume claim (a StatefulSet's, or a pod's ephemeral one)
 * states its size, and, where `storageClasses` are given, one of them.
 */
export function storageProblems(objects: KubeObject[], storageClasses?: string[]): string[] {
  const problems: string[] = [];
  for (const owner of podOwners(objects)) {
    const claims = [
      ...(owner.spec?.volumeClaimTemplates ?? []).map((t: Container) => ({ name: t.metadata?.name, spec: t.spec })),
      ...(podTemplate(owner).spec?.volumes ?? [])
        .filter((v: Container) => v.ephemeral)
        .map((v: Container) => ({ name: v.name, spec: v.ephemeral.volumeClaimTemplate?.spec })),
    ];
    for (const { name, spec } of claims) {
      const where = `${nameOf(owner)} volume ${name}`;
      if (!spec?.resources?.requests?.storage) problems.push(`${where}: no size`);
      if (storageClasses && !storageClasses.includes(spec?.storageClassName))
        problems.push(`${where}: storage class ${spec?.storageClassName}, not one of ${storageClasses.join(', ')}`);
    }
  }
  return problems;
}

/** Every Deployment's pods (the backend services', the client's) declare the metrics port, and a PodMonitoring scrapes it on /metrics. */
export function podMonitoringProblems(objects: KubeObject[]): string[] {
  const problems: string[] = [];
  // The backend services and the client: every Deployment.
  const services = ofKind(objects, 'Deployment');
  for (const service of services) {
    if (!hasPort(containersOf(service), 'metrics'))
      problems.push(`${nameOf(service)}: no container port named metrics`);
    const scraped = ofKind(objects, 'PodMonitoring').some(
      (m) =>
        selects(m.spec?.selector, podLabels(service)) &&
        (m.spec?.endpoints ?? []).some((e: Container) => e.port === 'metrics' && (e.path ?? '/metrics') === '/metrics'),
    );
    if (!scraped) problems.push(`${nameOf(service)}: no PodMonitoring scrapes its metrics port on /metrics`);
  }
  return problems;
}
