import { renderOverlay, type KubeObject } from './kustomize';
import { ofKind } from './manifest-checks';

/** A memory or storage quantity in MiB ("512Mi", "1Gi", "1536Mi"). */
const mebibytes = (quantity: string) => {
  const [, value, unit] = /^(\d+)(Mi|Gi)$/.exec(quantity) ?? [];
  if (!value) throw new Error(`unexpected quantity ${quantity}`);
  return Number(value) * (unit === 'Gi' ? 1024 : 1);
};

/**
 * What the dev loop's processes took (2026-12-07, the dev entrypoint's commands on
 * this repository, peak resident memory from /usr/bin/time -v): tsc -b of a service
 * 658 MB plus the service itself about 110 MB; next dev 728 MB, its .next 45 MB after
 * eight pages; the copied sources about 5 MB. In MiB.
 */
const MEASURED = {
  service: { memory: (658 + 110) / 1.048576, tmp: 5 / 1.048576 },
  client: { memory: 728 / 1.048576, tmp: (45 + 5) / 1.048576 },
};
/** Room for a session's growth (more pages compiled, more files watched). */
const HEADROOM = 1.25;

describe('the dev loop (overlays/dev, what `skaffold dev` deploys)', () => {
  let dev: KubeObject[];
  let local: KubeObject[];
  beforeAll(() => {
    dev = renderOverlay('dev');
    local = renderOverlay('local');
  });

  it('gives each pod the memory and /tmp its processes were measured to take, with headroom', () => {
    // The pods that run the dev loop: ours (the local overlay's Mailpit runs as it is).
    const deployments = ofKind(dev, 'Deployment').filter((d) => d.metadata.labels?.['postline/tier']);
    expect(deployments.length).toBeGreaterThan(1);
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      const tmp = pod.volumes.find(
        (v: { name: string }) =>
          v.name === container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp').name,
      );
      const need = deployment.metadata.name === 'client' ? MEASURED.client : MEASURED.service;
      expect({
        name: deployment.metadata.name,
        memory: mebibytes(container.resources.limits.memory) >= need.memory * HEADROOM,
        tmp: mebibytes(tmp.emptyDir.sizeLimit) >= need.tmp * HEADROOM,
      }).toEqual({ name: deployment.metadata.name, memory: true, tmp: true });
    }
  });

  it('is the local overlay but for those sizes and a longer first start', () => {
    const normalised = (objects: KubeObject[]) =>
      JSON.stringify(
        objects.map((o) => {
          if (o.kind !== 'Deployment' || !o.metadata.labels?.['postline/tier']) return o;
          const copy = structuredClone(o);
          const pod = copy.spec.template.spec;
          for (const volume of pod.volumes) if (volume.name === 'tmp') delete volume.emptyDir.sizeLimit;
          delete pod.containers[0].resources.requests.memory;
          delete pod.containers[0].resources.limits.memory;
          delete pod.containers[0].startupProbe.failureThreshold;
          return copy;
        }),
      );
    expect(normalised(dev)).toEqual(normalised(local));
    expect(JSON.stringify(dev)).not.toEqual(JSON.stringify(local));
  });
});
