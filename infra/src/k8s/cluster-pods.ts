import type { KubeObject } from './kustomize';
import { containersOf, podOwners, podTemplate, nameOf, ofKind } from './manifest-checks';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The pods a rendered overlay makes the cluster run: those of our own pod
 * templates, and those an operator makes from a custom resource, with the
 * labels, ports, environment and security settings they will run with.
 */
export interface ClusterPod {
  owner: string;
  labels: Record<string, string>;
  ports: { name?: string; containerPort: number }[];
  /** Environment variables with literal values (ConfigMaps resolved), per container. */
  env: Record<string, string>;
  spec: any;
}

/** The Percona Operator for MongoDB's mongod pod labels (pkg/naming/labels.go, MongodLabels: the same in v1.21.1 and v1.23.0). */
export function perconaMongodLabels(cluster: string, replset: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'percona-server-mongodb',
    'app.kubernetes.io/managed-by': 'percona-server-mongodb-operator',
    'app.kubernetes.io/part-of': 'percona-server-mongodb',
    'app.kubernetes.io/instance': cluster,
    'app.kubernetes.io/replset': replset,
    'app.kubernetes.io/component': 'mongod',
  };
}

/** mongod's port in the operator's pods (its container port `mongodb`). */
const PERCONA_MONGOD_PORT = 27017;

function literalEnv(objects: KubeObject[], containers: any[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const c of containers) {
    for (const from of c.envFrom ?? []) {
      const data = ofKind(objects, 'ConfigMap').find((m) => m.metadata.name === from.configMapRef?.name)?.data;
      Object.assign(env, data ?? {});
    }
    for (const e of c.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value;
  }
  return env;
}

export function clusterPods(objects: KubeObject[]): ClusterPod[] {
  const pods: ClusterPod[] = podOwners(objects).map((owner) => {
    const template = podTemplate(owner);
    const containers = containersOf(owner);
    return {
      owner: nameOf(owner),
      labels: template.metadata?.labels ?? {},
      ports: containers.flatMap((c: any) => c.ports ?? []),
      env: literalEnv(objects, containers),
      spec: template.spec ?? {},
    };
  });
  for (const cluster of ofKind(objects, 'PerconaServerMongoDB')) {
    for (const replset of cluster.spec?.replsets ?? []) {
      const containers = [
        { name: 'mongo-init', securityContext: cluster.spec?.initContainerSecurityContext },
        { name: 'mongod', securityContext: replset.containerSecurityContext },
        // The operator sets backup-agent's security context from spec.backup alone (pkg/psmdb/statefulset.go).
        ...(cluster.spec?.backup?.enabled === false
          ? []
          : [{ name: 'backup-agent', securityContext: cluster.spec?.backup?.containerSecurityContext }]),
        ...(replset.sidecars ?? []),
      ];
      pods.push({
        owner: `${nameOf(cluster)} replset ${replset.name}`,
        labels: { ...perconaMongodLabels(cluster.metadata.name, replset.name), ...(replset.labels ?? {}) },
        ports: [
          { name: 'mongodb', containerPort: PERCONA_MONGOD_PORT },
          ...(replset.sidecars ?? []).flatMap((c: any) => c.ports ?? []),
        ],
        env: {},
        spec: {
          serviceAccountName: replset.serviceAccountName,
          securityContext: replset.podSecurityContext,
          initContainers: [containers[0]],
          containers: containers.slice(1),
        },
      });
    }
  }
  return pods;
}

/**
 * The pods a host name in a connection string reaches: a Service's (by its
 * selector), or a Percona replica set's (`<cluster>-<replset>`, its members
 * `<cluster>-<replset>-<n>.…`), and the Service's port mapped to the container port.
 */
export function podsBehind(
  objects: KubeObject[],
  pods: ClusterPod[],
  host: string,
  port: number,
): { pods: ClusterPod[]; port: number; portName?: string } | undefined {
  const name = host.split('.')[0]!;
  const service = ofKind(objects, 'Service').find((s) => s.metadata.name === name);
  if (service) {
    const selected = pods.filter((p) =>
      Object.entries(service.spec?.selector ?? {}).every(([k, v]) => p.labels[k] === v),
    );
    const servicePort = (service.spec?.ports ?? []).find((p: any) => p.port === port);
    const target = servicePort?.targetPort ?? port;
    const containerPort = selected
      .flatMap((p) => p.ports)
      .find((p) => (typeof target === 'number' ? p.containerPort === target : p.name === target));
    return containerPort && { pods: selected, port: containerPort.containerPort, portName: containerPort.name };
  }
  for (const cluster of ofKind(objects, 'PerconaServerMongoDB')) {
    for (const replset of cluster.spec?.replsets ?? []) {
      const set = `${cluster.metadata.name}-${replset.name}`;
      if (name === set || new RegExp(`^${set}-\\d+$`).test(name)) {
        const labels = perconaMongodLabels(cluster.metadata.name, replset.name);
        const members = pods.filter((p) => Object.entries(labels).every(([k, v]) => p.labels[k] === v));
        return { pods: members, port, portName: 'mongodb' };
      }
    }
  }
  return undefined;
}

/** Whether a pod acts as a Google service account (Workload Identity: its ServiceAccount's annotation). */
export function usesWorkloadIdentity(objects: KubeObject[], pod: ClusterPod): boolean {
  const account = ofKind(objects, 'ServiceAccount').find((a) => a.metadata.name === pod.spec.serviceAccountName);
  return Boolean(account?.metadata.annotations?.['iam.gke.io/gcp-service-account']);
}
