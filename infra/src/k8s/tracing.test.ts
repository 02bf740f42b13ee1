import { serviceEnvSchema } from '@postline/common';
import { renderOverlay, type KubeObject } from './kustomize';
import { containersOf, ofKind } from './manifest-checks';

/** What traces: every backend Deployment, and the client's server side (client/src/server-observability.ts). */
const TRACED = ['auth', 'posts', 'comments', 'moderation', 'query', 'client'];

/** The OTLP endpoint each traced Deployment's environment gives it, by Deployment name ('' when unset). */
function otlpEndpoints(objects: KubeObject[]): Map<string, string> {
  const configMaps = new Map(ofKind(objects, 'ConfigMap').map((c) => [c.metadata.name, c]));
  const endpoints = new Map<string, string>();
  for (const deployment of ofKind(objects, 'Deployment')) {
    if (!TRACED.includes(deployment.metadata.name)) continue;
    let endpoint = '';
    for (const container of containersOf(deployment)) {
      const fromMaps = (container.envFrom ?? []).map((source: { configMapRef?: { name: string } }) =>
        source.configMapRef ? configMaps.get(source.configMapRef.name)?.data?.OTEL_EXPORTER_OTLP_ENDPOINT : undefined,
      );
      const direct = (container.env ?? []).find((e: { name: string }) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT');
      endpoint = direct?.value ?? fromMaps.find((value: unknown) => typeof value === 'string') ?? endpoint;
    }
    endpoints.set(deployment.metadata.name, endpoint);
  }
  return endpoints;
}

describe('tracing in the overlays', () => {
  it('sends the traces of every backend service and of the client to the managed collector on GKE, over OTLP/HTTP', () => {
    const endpoints = otlpEndpoints(renderOverlay('gke'));
    expect([...endpoints.keys()].sort()).toEqual([...TRACED].sort());
    for (const [service, endpoint] of endpoints) {
      expect({ service, endpoint }).toEqual({
        service,
        endpoint: 'http://opentelemetry-collector.gke-managed-otel.svc.cluster.local:4318',
      });
    }
    // What the services' configuration accepts (it refuses a value that is not an http(s) URL).
    const parsed = serviceEnvSchema.shape.OTEL_EXPORTER_OTLP_ENDPOINT.safeParse(endpoints.get('comments'));
    expect(parsed.success).toBe(true);
  });

  it('leaves tracing off in the local overlay', () => {
    const endpoints = otlpEndpoints(renderOverlay('local'));
    expect([...endpoints.keys()].sort()).toEqual([...TRACED].sort());
    expect([...new Set(endpoints.values())]).toEqual(['']);
  });
});
