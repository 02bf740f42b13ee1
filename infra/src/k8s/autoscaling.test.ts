import { renderOverlay, type KubeObject } from './kustomize';
import { containersOf, ofKind } from './manifest-checks';

/** A CPU quantity in cores ("250m", "1", "0.5"). */
const cores = (quantity: string | number) =>
  String(quantity).endsWith('m') ? Number(String(quantity).slice(0, -1)) / 1000 : Number(quantity);

/** Each HPA's CPU threshold in cores per pod, with the requests and limits of the Deployment it scales. */
function thresholds(objects: KubeObject[]) {
  return ofKind(objects, 'HorizontalPodAutoscaler').map((hpa) => {
    const target = ofKind(objects, 'Deployment').find((d) => d.metadata.name === hpa.spec.scaleTargetRef.name)!;
    const resources = containersOf(target).map(
      (c: { resources: Record<string, Record<string, string>> }) => c.resources,
    );
    const request = resources.reduce((sum, r) => sum + cores(r.requests!.cpu!), 0);
    const limit = resources.reduce((sum, r) => sum + cores(r.limits!.cpu!), 0);
    const cpu = hpa.spec.metrics.find((m: { resource?: { name: string } }) => m.resource?.name === 'cpu').resource
      .target;
    const threshold =
      cpu.type === 'AverageValue' ? cores(cpu.averageValue) : (request * Number(cpu.averageUtilization)) / 100;
    return { name: hpa.metadata.name, request, limit, threshold };
  });
}

describe('overlay gke: autoscaling and resources', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderOverlay('gke');
  });

  it('scales every service and the client on CPU', () => {
    expect(
      thresholds(objects)
        .map((t) => t.name)
        .sort(),
    ).toEqual(
      ofKind(objects, 'Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    );
  });

  it('adds a pod before one reaches its CPU request (so it fires where limits are held to requests) and at no less than 100m', () => {
    for (const { name, request, limit, threshold } of thresholds(objects)) {
      expect({
        name,
        belowRequest: threshold <= request,
        belowLimit: threshold < limit,
        atLeast100m: threshold >= 0.1,
      }).toEqual({
        name,
        belowRequest: true,
        belowLimit: true,
        atLeast100m: true,
      });
    }
  });

  it("requests every Deployment's memory in full (request = limit: never reclaimed under node pressure)", () => {
    for (const deployment of ofKind(objects, 'Deployment')) {
      for (const c of containersOf(deployment))
        expect({ container: c.name, request: c.resources.requests.memory }).toEqual({
          container: c.name,
          request: c.resources.limits.memory,
        });
    }
  });
});
