import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterPods, perconaMongodLabels, podsBehind, usesWorkloadIdentity, type ClusterPod } from './cluster-pods';
import { schemaProblems } from './kubernetes-schemas';
import { editedCopy, overlayNames, parseYamlDocuments, renderOverlay, type KubeObject } from './kustomize';
import { matchesSelector, ofKind, routeBackends } from './manifest-checks';
import { k8sDir } from './repository';
import { allowed, deadSelectorProblems, hasDefaultDeny, NAMESPACE, type Peer, type Port } from './network-policies';

/** Where each overlay's public traffic enters from: ingress-nginx's namespace, or Google's load balancer and health checks. */
const ENTRY: Record<string, Peer[]> = {
  local: [{ namespace: 'ingress-nginx' }],
  dev: [{ namespace: 'ingress-nginx' }],
  gke: [{ ip: '35.191.8.9' }, { ip: '130.211.1.2' }],
};
const KUBE_DNS: Peer = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
/** An address of storage.googleapis.com (any public address: a policy cannot name a host). */
const CLOUD_STORAGE: Peer = { ip: '142.250.180.123' };
/** An SMTP relay outside the cluster (any public address: a policy cannot name a host). */
const SMTP_RELAY: Peer = { ip: '198.51.100.25' };
/** GKE's metadata server, where Workload Identity's tokens come from. */
const METADATA_SERVER: Peer = { ip: '169.254.169.254' };
/** The container ports over which a workload's own pods talk to each other: NATS routes, MongoDB replication. */
const PEER_PORTS = ['cluster', 'mongo', 'mongodb'];
const DEFAULT_PORTS: Record<string, number> = { nats: 4222, mongodb: 27017, http: 80, https: 443 };

interface Flow {
  what: string;
  from: Peer;
  to: Peer;
  port: Port;
}
const describePeer = (peer: Peer) =>
  'pod' in peer ? peer.pod.owner : 'ip' in peer ? peer.ip : `namespace ${peer.namespace}`;

/**
 * The connections the configuration makes: every URL in a pod's environment
 * (NATS_URL, MONGO_URL, the client's <SERVICE>_URL, the trace collector's),
 * resolved to the pods behind it; hosts that resolve to nothing in the
 * namespace or the cluster are public (PUBLIC_URL) and not checked here.
 */
function configuredFlows(objects: KubeObject[], pods: ClusterPod[]): { flows: Flow[]; unresolved: string[] } {
  const flows: Flow[] = [];
  const unresolved: string[] = [];
  for (const pod of pods) {
    for (const [key, value] of Object.entries(pod.env)) {
      const url = /^(nats|mongodb|https?):\/\/(?:[^@/]*@)?([^/?]+)/.exec(value);
      if (!url) continue;
      for (const hostPort of url[2]!.split(',')) {
        const [host, portText] = hostPort.split(':');
        const port = Number(portText ?? DEFAULT_PORTS[url[1]!]);
        const what = `${pod.owner} ${key}`;
        const otherNamespace = /^[^.]+\.([^.]+)\.svc\.cluster\.local$/.exec(host!)?.[1];
        if (otherNamespace && otherNamespace !== NAMESPACE) {
          flows.push({ what, from: { pod }, to: { namespace: otherNamespace }, port: { number: port } });
          continue;
        }
        const behind = podsBehind(objects, pods, host!, port);
        if (behind) {
          for (const target of behind.pods)
            flows.push({
              what,
              from: { pod },
              to: { pod: target },
              port: { number: behind.port, name: behind.portName },
            });
        } else if (!host!.includes('.')) unresolved.push(`${what}: ${host} is no Service or replica set here`);
      }
    }
  }
  return { flows, unresolved };
}

/** Everything the platform needs to reach, and be reached from, as the overlay is configured. */
function requiredFlows(overlay: string, objects: KubeObject[], pods: ClusterPod[]): Flow[] {
  const flows = configuredFlows(objects, pods).flows;
  // Mail: auth to SMTP_HOST:SMTP_PORT, a Service here (a local cluster's Mailpit) or a relay outside.
  for (const pod of pods.filter((p) => p.env.SMTP_HOST)) {
    const port = Number(pod.env.SMTP_PORT);
    const behind = podsBehind(objects, pods, pod.env.SMTP_HOST!, port);
    if (behind)
      for (const target of behind.pods)
        flows.push({
          what: `${pod.owner} SMTP_HOST`,
          from: { pod },
          to: { pod: target },
          port: { number: behind.port, name: behind.portName },
        });
    else
      flows.push({ what: `${pod.owner} SMTP_HOST (a relay)`, from: { pod }, to: SMTP_RELAY, port: { number: port } });
  }
  for (const pod of pods)
    flows.push({ what: 'DNS', from: { pod }, to: KUBE_DNS, port: { number: 53, protocol: 'UDP' } });
  for (const { from: route, service, port } of routeBackends(objects)) {
    const servicePort = ofKind(objects, 'Service')
      .find((s) => s.metadata.name === service)
      ?.spec.ports.find((p: { name: string; port: number }) => p.name === port || p.port === port);
    const behind = podsBehind(objects, pods, service, servicePort?.port);
    for (const target of behind?.pods ?? [])
      for (const entry of ENTRY[overlay]!)
        flows.push({
          what: route,
          from: entry,
          to: { pod: target },
          port: { number: behind!.port, name: behind!.portName },
        });
  }
  const byOwner = new Map<string, ClusterPod[]>();
  for (const pod of pods) byOwner.set(pod.owner, [...(byOwner.get(pod.owner) ?? []), pod]);
  for (const pod of pods) {
    for (const port of pod.ports.filter((p) => PEER_PORTS.includes(p.name ?? ''))) {
      flows.push({
        what: `${pod.owner}'s own pods, port ${port.name}`,
        from: { pod },
        to: { pod },
        port: { number: port.containerPort, name: port.name },
      });
    }
  }
  if (overlay === 'gke') {
    for (const monitoring of ofKind(objects, 'PodMonitoring')) {
      for (const pod of pods.filter((p) => matchesSelector(monitoring.spec.selector, p.labels))) {
        for (const endpoint of monitoring.spec.endpoints) {
          const port = pod.ports.find((p) => p.name === endpoint.port);
          flows.push({
            what: `${monitoring.metadata.name} scrapes ${endpoint.port}`,
            from: { namespace: 'gmp-system' },
            to: { pod },
            port: { number: port?.containerPort ?? -1, name: endpoint.port },
          });
        }
      }
    }
    // The database members back up to Cloud Storage; so does every pod acting as a Google service account.
    for (const pod of pods.filter(
      (p) => p.labels['app.kubernetes.io/component'] === 'mongod' || usesWorkloadIdentity(objects, p),
    )) {
      flows.push({ what: 'backups to Cloud Storage', from: { pod }, to: CLOUD_STORAGE, port: { number: 443 } });
      if (usesWorkloadIdentity(objects, pod))
        flows.push({ what: 'Workload Identity', from: { pod }, to: METADATA_SERVER, port: { number: 80 } });
    }
  }
  return flows;
}

const blocked = (objects: KubeObject[], flows: Flow[]) =>
  flows
    .filter((f) => !allowed(objects, f.from, f.to, f.port))
    .map((f) => `${f.what}: ${describePeer(f.from)} → ${describePeer(f.to)} port ${f.port.name ?? f.port.number}`);

describe.each(overlayNames())('network policies of overlay %s', (overlay) => {
  let objects: KubeObject[];
  let pods: ClusterPod[];
  beforeAll(() => {
    objects = renderOverlay(overlay);
    pods = clusterPods(objects);
  });

  it('deny every connection, both ways, that no policy allows', () => {
    expect(hasDefaultDeny(objects)).toBe(true);
  });

  it("select pods that run: every selector matches the labels of our pods, the chart's and the operator's", () => {
    expect(deadSelectorProblems(objects, pods)).toEqual([]);
  });

  it('resolve every in-namespace URL of the configuration to pods', () => {
    expect(configuredFlows(objects, pods).unresolved).toEqual([]);
  });

  it('allow every connection the platform makes: configured URLs, DNS, the public entry, replication, scraping, backups', () => {
    const flows = requiredFlows(overlay, objects, pods);
    // NATS, every database and the routed services are among them.
    expect(flows.filter((f) => f.port.number === 4222).length).toBeGreaterThan(0);
    expect(flows.filter((f) => f.port.number === 27017).length).toBeGreaterThan(0);
    expect(
      flows.filter((f) => 'ip' in f.from || ('namespace' in f.from && f.from.namespace !== 'gmp-system')).length,
    ).toBeGreaterThan(0);
    expect(blocked(objects, flows)).toEqual([]);
  });

  it("deny what the platform does not do: another service's database, NATS from non-clients, the internet, other namespaces", () => {
    const mongoFlows = configuredFlows(objects, pods).flows.filter((f) => f.port.number === 27017 && 'pod' in f.from);
    const unwanted: Flow[] = [];
    for (const flow of mongoFlows) {
      for (const other of mongoFlows) {
        if ('pod' in flow.to && 'pod' in other.to && other.to.pod.owner !== flow.to.pod.owner && 'pod' in flow.from)
          unwanted.push({ what: "another service's database", from: flow.from, to: other.to, port: other.port });
      }
    }
    const nats = pods.filter((p) => p.ports.some((port) => port.containerPort === 4222));
    const databaseMembers = pods.filter((p) => p.ports.some((port) => port.containerPort === 27017));
    for (const pod of pods) {
      if (!pod.env.NATS_URL && !nats.includes(pod))
        for (const server of nats)
          unwanted.push({ what: 'NATS from a non-client', from: { pod }, to: { pod: server }, port: { number: 4222 } });
      const backsUp =
        overlay === 'gke' &&
        (pod.labels['app.kubernetes.io/component'] === 'mongod' || usesWorkloadIdentity(objects, pod));
      if (!backsUp) unwanted.push({ what: 'the internet', from: { pod }, to: CLOUD_STORAGE, port: { number: 443 } });
      for (const port of pod.ports)
        unwanted.push({
          what: 'another namespace',
          from: { namespace: 'default' },
          to: { pod },
          port: { number: port.containerPort },
        });
    }
    const client = pods.find((p) => p.labels.app === 'client')!;
    for (const member of databaseMembers)
      unwanted.push({
        what: 'the client to a database',
        from: { pod: client },
        to: { pod: member },
        port: { number: 27017 },
      });
    expect(unwanted.length).toBeGreaterThan(pods.length);
    expect(
      unwanted
        .filter((f) => allowed(objects, f.from, f.to, f.port))
        .map((f) => `${f.what}: ${describePeer(f.from)} → ${describePeer(f.to)}`),
    ).toEqual([]);
  });
});

describe('the network policy checks catch real mistakes', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay('gke');
  });
  const broken = (edit: (copy: KubeObject[]) => void) => editedCopy(objects, edit);
  const policy = (copy: KubeObject[], name: string) =>
    copy.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name)!;

  it('NATS pods labelled otherwise than the policies say', () => {
    const copy = broken((c) => {
      for (const set of c.filter((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats'))
        set.spec.template.metadata.labels['app.kubernetes.io/instance'] = 'nats-1';
    });
    const pods = clusterPods(copy);
    expect(deadSelectorProblems(copy, pods)).not.toEqual([]);
    expect(blocked(copy, requiredFlows('gke', copy, pods))).not.toEqual([]);
  });

  it('a database that no longer admits its service', () => {
    const copy = broken((c) => {
      for (const p of ofKind(c, 'NetworkPolicy'))
        for (const rule of p.spec.ingress ?? [])
          rule.from = rule.from?.filter(
            (peer: { podSelector?: { matchLabels?: { app?: string } } }) =>
              peer.podSelector?.matchLabels?.app !== 'posts',
          );
    });
    const pods = clusterPods(copy);
    expect(blocked(copy, requiredFlows('gke', copy, pods)).join('\n')).toMatch(/Deployment\/posts MONGO_URL/);
  });

  it('a pod acting as a Google service account that may not reach Google', () => {
    const copy = broken((c) => {
      const cronJob = c.find((o) => o.kind === 'CronJob')!;
      cronJob.spec.jobTemplate.spec.template.metadata.labels.app = 'another-backup';
    });
    expect(blocked(copy, requiredFlows('gke', copy, clusterPods(copy))).join('\n')).toMatch(/Workload Identity/);
  });

  it('no default-deny, or one that lets egress through', () => {
    expect(hasDefaultDeny(broken((c) => c.splice(c.indexOf(policy(c, 'default-deny')), 1)))).toBe(false);
    expect(hasDefaultDeny(broken((c) => (policy(c, 'default-deny').spec.policyTypes = ['Ingress'])))).toBe(false);
  });

  it('a PerconaServerMongoDB whose name the policies do not know', () => {
    const copy = broken((c) =>
      c.push({
        apiVersion: 'psmdb.percona.com/v1',
        kind: 'PerconaServerMongoDB',
        metadata: { name: 'auth-db' },
        spec: { replsets: [{ name: 'rs0' }] },
      }),
    );
    const pods = clusterPods(copy);
    const member = pods.find((p) => p.owner.startsWith('PerconaServerMongoDB/auth-db'))!;
    expect(member.labels).toMatchObject({
      'app.kubernetes.io/instance': 'auth-db',
      'app.kubernetes.io/component': 'mongod',
    });
    const auth = pods.find((p) => p.labels.app === 'auth')!;
    expect(allowed(copy, { pod: auth }, { pod: member }, { number: 27017 })).toBe(false);
  });
});

describe("the Percona Operator's policy, for an operator run in Postline's namespace", () => {
  const [policy] = parseYamlDocuments(
    readFileSync(join(k8sDir, 'base', 'percona-operator-network-policy.yaml'), 'utf8'),
  ) as KubeObject[];
  /** The operator's pod labels (deploy/operator.yaml of v1.21.1 and v1.23.0). */
  const operator: ClusterPod = {
    owner: 'Deployment/percona-server-mongodb-operator',
    labels: {
      name: 'percona-server-mongodb-operator',
      'app.kubernetes.io/component': 'operator',
      'app.kubernetes.io/instance': 'percona-server-mongodb-operator',
      'app.kubernetes.io/name': 'percona-server-mongodb-operator',
      'app.kubernetes.io/part-of': 'percona-server-mongodb-operator',
    },
    ports: [],
    env: {},
    spec: {},
  };
  const member: ClusterPod = { ...operator, owner: 'a member', labels: perconaMongodLabels('auth-mongo', 'rs0') };

  it('validates, and lets the operator reach the API server (443 on GKE, 6443 on kind) and the members', () => {
    expect(schemaProblems([policy!])).toEqual([]);
    const objects = [policy!];
    for (const port of [443, 6443])
      expect(allowed(objects, { pod: operator }, { ip: '34.76.1.2' }, { number: port })).toBe(true);
    expect(allowed(objects, { pod: operator }, { pod: member }, { number: 27017 })).toBe(true);
    expect(allowed(objects, { pod: operator }, { ip: '34.76.1.2' }, { number: 80 })).toBe(false);
  });
});
