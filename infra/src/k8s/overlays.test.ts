import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { schemaProblems } from './kubernetes-schemas';
import { overlayNames, renderOverlay, type KubeObject } from './kustomize';
import {
  containerProblems,
  referenceProblems,
  secretKeysUsed,
  selectorProblems,
  servedRoutes,
  servicePortProblems,
  shapeOf,
  workloads,
} from './manifest-checks';
import { deployableFolders, k8sDir, routeTable } from './repository';

const sortRoutes = <T extends { prefix: string }>(routes: T[]) =>
  [...routes].sort((a, b) => a.prefix.localeCompare(b.prefix));

describe.each(overlayNames())('overlay %s, as kustomize renders it', (overlay) => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay(overlay);
  });

  it('validates against the Kubernetes, Gateway API and GKE schemas', () => {
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

  it('points routes, autoscalers, health checks, ConfigMaps and MONGO_URLs at objects that exist', () => {
    expect(referenceProblems(objects)).toEqual([]);
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

  it('deploys every service folder of the repository', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    expect(deployments).toEqual(expect.arrayContaining(deployableFolders()));
  });

  it('keeps the backend services, and the databases, identical but for their names', () => {
    const shapes = (tier: string, suffix = '') =>
      new Set(
        workloads(objects)
          .filter((w) => w.metadata.labels?.['postline/tier'] === tier)
          .map((w) => {
            const name = w.metadata.name.slice(0, w.metadata.name.length - suffix.length);
            // auth alone reads its auth-config (MODERATOR_EMAILS).
            return shapeOf(w, name).replace(/,\{"configMapRef":\{"name":"<name>-config[^"]*"\}\}/, '');
          }),
      );
    expect(shapes('service').size).toBe(1);
    expect(shapes('database', '-mongo').size).toBe(1);
  });

  it('reads only secrets that infra/k8s/create-secrets.sh creates, and no secret is committed', () => {
    const created = execFileSync('bash', [join(k8sDir, 'create-secrets.sh'), '--list'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .flatMap((line) => {
        const [name, ...keys] = line.split(' ');
        return keys.map((key) => `${name} ${key}`);
      });
    expect(secretKeysUsed(objects).filter((used) => !created.includes(used))).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
  });
});

describe('the checks catch real mistakes', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay('gke');
  });
  const broken = (edit: (copy: KubeObject[]) => void) => {
    const copy = structuredClone(objects);
    edit(copy);
    return copy;
  };
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
  it('a route to a missing Service port', () => {
    const route = (c: KubeObject[]) => c.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === 'postline')!;
    expect(referenceProblems(broken((c) => (route(c).spec.rules[0].backendRefs[0].port = 80)))).not.toEqual([]);
  });
  it('a route table mismatch', () => {
    const route = broken((c) => c.find((o) => o.kind === 'HTTPRoute')!.spec.rules.pop()).find(
      (o) => o.kind === 'HTTPRoute' && o.metadata.name === 'postline',
    )!;
    expect(sortRoutes(servedRoutes(route).routes)).not.toEqual(sortRoutes(routeTable()));
  });
});
