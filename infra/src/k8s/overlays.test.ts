import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { schemaProblems } from './kubernetes-schemas';
import {
  DATA_MEMBERS,
  editedCopy,
  GKE_STORAGE_CLASSES,
  overlayNames,
  parseYamlDocuments,
  renderOverlay,
  type KubeObject,
} from './kustomize';
import {
  containerProblems,
  disruptionBudgetProblems,
  ofKind,
  podMonitoringProblems,
  referenceProblems,
  readersOfSecret,
  secretKeysUsed,
  selectorProblems,
  servedRoutes,
  servicePortProblems,
  shapeOf,
  spreadProblems,
  storageProblems,
} from './manifest-checks';
import { deployableFolders, k8sDir, routeTable, secretsCreated } from './repository';

const sortRoutes = <T extends { prefix: string }>(routes: T[]) =>
  [...routes].sort((a, b) => a.prefix.localeCompare(b.prefix));

describe.each(overlayNames())('overlay %s, as kustomize renders it', (overlay) => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay(overlay);
  });

  it('validates against the Kubernetes, Gateway API, GKE and Managed Service for Prometheus schemas', () => {
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('has selectors that match pod labels', () => {
    expect(selectorProblems(objects)).toEqual([]);
  });

  it('has Services whose target ports exist on their containers', () => {
    expect(servicePortProblems(objects)).toEqual([]);
  });

  it('gives every container probes, requests, limits and the security settings', () => {
    expect(containerProblems(objects)).toEqual([]);
  });

  it('points routes, autoscalers, health checks and ConfigMaps at objects that exist', () => {
    expect(referenceProblems(objects)).toEqual([]);
  });

  it("keeps query's live stream (Server-Sent Events) unbuffered, and open far longer than its 15 s heartbeat", () => {
    const ingress = objects.find((o) => o.kind === 'Ingress');
    const route = objects.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === 'postline');
    expect(ingress ?? route).toBeDefined();
    if (ingress) expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    if (route) {
      // Google's load balancer: the backend timeout is a stream's whole life (30 s unless a policy says otherwise).
      const policy = objects.find((o) => o.kind === 'GCPBackendPolicy' && o.spec?.targetRef?.name === 'query');
      expect(policy?.spec.default.timeoutSec).toBeGreaterThanOrEqual(600);
    }
  });

  it("says nosniff on every answer the Gateway API route serves (an Ingress passes the services' own)", () => {
    const route = objects.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === 'postline');
    for (const rule of route?.spec.rules ?? [])
      expect([rule.matches[0].path.value, rule.filters]).toEqual([
        rule.matches[0].path.value,
        [
          {
            type: 'ResponseHeaderModifier',
            responseHeaderModifier: { set: [{ name: 'X-Content-Type-Options', value: 'nosniff' }] },
          },
        ],
      ]);
  });

  it('routes exactly the route table, through an Ingress or an HTTPRoute', () => {
    const routers = objects.filter(
      (o) => o.kind === 'Ingress' || (o.kind === 'HTTPRoute' && o.metadata.name === 'postline'),
    );
    expect(routers.length).toBeGreaterThan(0);
    for (const router of routers) {
      const { routes, problems } = servedRoutes(router);
      expect(problems).toEqual([]);
      expect(sortRoutes(routes)).toEqual(sortRoutes(routeTable()));
    }
  });

  it('tells the client the origin readers use (PUBLIC_URL): the Ingress host, or HTTPS behind the Gateway', () => {
    const config = ofKind(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('client-config'));
    const publicUrl = new URL(String(config?.data?.PUBLIC_URL));
    expect(publicUrl.pathname).toBe('/');
    const ingressHosts = ofKind(objects, 'Ingress').flatMap((i) =>
      (i.spec.rules as { host?: string }[]).map((r) => r.host),
    );
    if (ingressHosts.length > 0) expect(ingressHosts).toEqual([publicUrl.host]);
    else expect(publicUrl.protocol).toBe('https:');
  });

  it('tells auth where mail goes, and the same PUBLIC_URL as the client for its links', () => {
    const data = (name: string) =>
      ofKind(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith(`${name}-config`))?.data ?? {};
    const auth = data('auth');
    expect(auth.SMTP_HOST).toMatch(/^[a-z0-9.-]+$/);
    expect(Number(auth.SMTP_PORT)).toBeGreaterThan(0);
    expect(auth.PUBLIC_URL).toBe(data('client').PUBLIC_URL);
  });

  it('deploys every service folder of the repository', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deployments).toEqual(expect.arrayContaining(deployableFolders()));
  });

  it('keeps the backend services identical but for their names', () => {
    const shapes = (owners: KubeObject[], suffix = '') =>
      new Set(
        owners.map((w) => {
          const name = w.metadata.name.slice(0, w.metadata.name.length - suffix.length);
          // auth alone reads its auth-config (MODERATOR_EMAILS, where mail goes), its SMTP login and the key that signs tokens.
          return shapeOf(w, name)
            .replace(/,\{"configMapRef":\{"name":"<name>-config[^"]*"\}\}/, '')
            .replace(/,\{"secretRef":\{"name":"<name>-smtp"\}\}/, '')
            .replace(/\{"name":"JWT_PRIVATE_KEY","valueFrom":\{[^]*?\}\}\},/, '');
        }),
      );
    const services = ofKind(objects, 'Deployment').filter((d) => d.metadata.labels?.['postline/tier'] === 'service');
    expect(services.length).toBeGreaterThan(1);
    expect(shapes(services).size).toBe(1);
  });

  it(`runs NATS as ${DATA_MEMBERS[overlay]} server(s), as many as each database has members`, () => {
    expect(ofKind(objects, 'StatefulSet').find((s) => s.metadata.name === 'nats')?.spec.replicas).toBe(
      DATA_MEMBERS[overlay],
    );
  });

  it(`has every backend service keep its streams on ${DATA_MEMBERS[overlay]} NATS server(s) (STREAM_REPLICAS)`, () => {
    const configMaps = ofKind(objects, 'ConfigMap');
    const services = ofKind(objects, 'Deployment').filter((d) => d.metadata.labels?.['postline/tier'] === 'service');
    expect(services.length).toBe(deployableFolders().filter((f) => f !== 'client').length);
    for (const service of services) {
      // What the container sees: its ConfigMaps in order, then its own env; unset is the services' default, 1.
      let replicas: string | undefined;
      for (const container of service.spec.template.spec.containers as {
        envFrom?: { configMapRef?: { name: string } }[];
        env?: { name: string; value?: string }[];
      }[]) {
        for (const from of container.envFrom ?? []) {
          const data = configMaps.find((c) => c.metadata.name === from.configMapRef?.name)?.data;
          if (data?.STREAM_REPLICAS !== undefined) replicas = data.STREAM_REPLICAS;
        }
        const own = container.env?.find((e) => e.name === 'STREAM_REPLICAS');
        if (own) replicas = own.value;
      }
      expect({ service: service.metadata.name, replicas: Number(replicas ?? 1) }).toEqual({
        service: service.metadata.name,
        replicas: DATA_MEMBERS[overlay],
      });
    }
  });

  it('spreads replicated data over zones and nodes, with a disruption budget for every multi-pod workload', () => {
    expect(spreadProblems(objects)).toEqual([]);
    expect(disruptionBudgetProblems(objects)).toEqual([]);
  });

  it('states the size of every volume (and, on GKE, its storage class)', () => {
    expect(storageProblems(objects, overlay === 'gke' ? GKE_STORAGE_CLASSES : undefined)).toEqual([]);
  });

  it('reads only secrets that infra/k8s/create-secrets.sh creates, and no secret is committed', () => {
    const created = secretsCreated();
    // A whole Secret read (envFrom) must be one the script makes.
    const made = (used: string) =>
      used.endsWith(' (every key)')
        ? created.some((c) => c.startsWith(used.replace('(every key)', '')))
        : created.includes(used);
    expect(secretKeysUsed(objects).filter((used) => !made(used))).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
  });

  it('gives the key that signs session tokens to auth alone, and its public key to every backend service', () => {
    expect(readersOfSecret(objects, 'jwt-signing-key')).toEqual(['Deployment/auth']);
    expect(readersOfSecret(objects, 'jwt-public-key')).toEqual(
      ['auth', 'comments', 'moderation', 'posts', 'query'].map((s) => `Deployment/${s}`),
    );
  });
});

describe('overlay gke, as kustomize renders it, also', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay('gke');
  });

  it('scrapes every backend service and the client with a PodMonitoring', () => {
    expect(podMonitoringProblems(objects)).toEqual([]);
  });
});

it('commits no Secret anywhere under infra/k8s, rendered or not', () => {
  const yamlFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(entry.name) ? [path] : [];
    });
  const secrets = yamlFiles(k8sDir).flatMap((file) =>
    parseYamlDocuments(readFileSync(file, 'utf8'))
      .filter((o) => o.kind === 'Secret' || (o.kind === 'Kustomization' && o.secretGenerator))
      .map((o) => `${file}: ${o.kind}`),
  );
  expect(secrets).toEqual([]);
});

describe('the checks catch real mistakes', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay('gke');
  });
  const broken = (edit: (copy: KubeObject[]) => void) => editedCopy(objects, edit);
  const deployment = (copy: KubeObject[], name: string) =>
    copy.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;

  it('a schema violation', () => {
    expect(schemaProblems(broken((c) => (deployment(c, 'auth').spec.replicas = 'two')))).not.toEqual([]);
  });
  it('a selector that misses its pods', () => {
    expect(
      selectorProblems(broken((c) => (deployment(c, 'posts').spec.template.metadata.labels.app = 'post'))),
    ).not.toEqual([]);
  });
  it('a Service port the container lacks', () => {
    expect(
      servicePortProblems(
        broken((c) => (deployment(c, 'query').spec.template.spec.containers[0].ports[0].name = 'web')),
      ),
    ).not.toEqual([]);
  });
  it('a writable root filesystem', () => {
    expect(
      containerProblems(
        broken(
          (c) =>
            (deployment(c, 'auth').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false),
        ),
      ),
    ).not.toEqual([]);
  });
  it('a backend policy for a missing Service', () => {
    const policy = (c: KubeObject[]) => c.find((o) => o.kind === 'GCPBackendPolicy')!;
    expect(referenceProblems(broken((c) => (policy(c).spec.targetRef.name = 'querry')))).not.toEqual([]);
  });
  it('a route to a missing Service port', () => {
    const route = (c: KubeObject[]) => c.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === 'postline')!;
    expect(referenceProblems(broken((c) => (route(c).spec.rules[0].backendRefs[0].port = 80)))).not.toEqual([]);
  });
  const statefulSet = (copy: KubeObject[], name: string) =>
    copy.find((o) => o.kind === 'StatefulSet' && o.metadata.name === name)!;
  it('a multi-pod workload without a disruption budget, or one that lets a quorum go', () => {
    expect(
      disruptionBudgetProblems(
        broken((c) =>
          c.splice(
            c.findIndex((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'nats'),
            1,
          ),
        ),
      ),
    ).not.toEqual([]);
    expect(
      disruptionBudgetProblems(
        broken(
          (c) =>
            (c.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'nats')!.spec.maxUnavailable = 2),
        ),
      ),
    ).not.toEqual([]);
  });
  it('a volume of unstated class or size', () => {
    expect(
      storageProblems(
        broken((c) => delete statefulSet(c, 'nats').spec.volumeClaimTemplates[0].spec.storageClassName),
        GKE_STORAGE_CLASSES,
      ),
    ).not.toEqual([]);
  });
  it('a service whose metrics nobody scrapes', () => {
    expect(
      podMonitoringProblems(
        broken(
          (c) =>
            (deployment(c, 'moderation').spec.template.spec.containers[0].ports = [
              { name: 'http', containerPort: 3000 },
            ]),
        ),
      ),
    ).not.toEqual([]);
  });
  it('a client whose metrics nobody scrapes', () => {
    expect(
      podMonitoringProblems(
        broken((c) => delete deployment(c, 'client').spec.template.metadata.labels['postline/tier']),
      ),
    ).toEqual(['Deployment/client: no PodMonitoring scrapes its metrics port on /metrics']);
  });
  it('a PodMonitoring or Rules field the CRD does not have', () => {
    expect(
      schemaProblems(broken((c) => (ofKind(c, 'PodMonitoring')[0]!.spec.endpoints[0].prot = 'metrics'))),
    ).not.toEqual([]);
    expect(schemaProblems(broken((c) => delete ofKind(c, 'Rules')[0]!.spec.groups[0].interval))).not.toEqual([]);
  });
  it('a route table mismatch', () => {
    const route = broken((c) => c.find((o) => o.kind === 'HTTPRoute')!.spec.rules.pop()).find(
      (o) => o.kind === 'HTTPRoute' && o.metadata.name === 'postline',
    )!;
    expect(sortRoutes(servedRoutes(route).routes)).not.toEqual(sortRoutes(routeTable()));
  });
});
