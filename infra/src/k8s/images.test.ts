import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { overlayNames, renderOverlay, type KubeObject } from './kustomize';
import { containersOf, podOwners } from './manifest-checks';
import { root } from './repository';

/** The images skaffold builds: it deploys each as REPO/<name>:<tag>@sha256:<the digest it pushed>. */
const built = new Set(
  (
    parse(readFileSync(join(root, 'skaffold.yaml'), 'utf8')) as { build: { artifacts: { image: string }[] } }
  ).build.artifacts.map((a) => a.image),
);

/** A tag that names one release (`2.12.1`, `8.0.26-11`, `573.0.0-stable`), not a line (`2.12`, `latest`). */
const EXACT_VERSION = /:v?\d+\.\d+\.\d+[-.\w]*$/;

/** Every image a rendered overlay names: pod templates, and what a PerconaServerMongoDB runs. */
function imagesOf(objects: KubeObject[]): string[] {
  const images = podOwners(objects).flatMap((o) => containersOf(o).map((c: { image: string }) => c.image));
  for (const cluster of objects.filter((o) => o.kind === 'PerconaServerMongoDB')) {
    images.push(cluster.spec.image);
    if (cluster.spec.backup?.image) images.push(cluster.spec.backup.image);
    for (const replset of cluster.spec.replsets ?? [])
      images.push(...(replset.sidecars ?? []).map((c: { image: string }) => c.image));
  }
  return images;
}

describe.each(overlayNames())('the images of overlay %s', (overlay) => {
  it('are ours (deployed by digest by skaffold) or third-party at an exact version or digest, never a moving tag', () => {
    const images = imagesOf(renderOverlay(overlay));
    expect(images.length).toBeGreaterThan(built.size);
    const moving = images.filter(
      (image) => !built.has(image) && !/@sha256:[0-9a-f]{64}$/.test(image) && !EXACT_VERSION.test(image),
    );
    expect(moving).toEqual([]);
  });
});

it('the check refuses a moving tag', () => {
  expect(EXACT_VERSION.test('nats:latest')).toBe(false);
  expect(EXACT_VERSION.test('nats:2.12')).toBe(false);
  expect(EXACT_VERSION.test('nats:2.12.1-alpine')).toBe(true);
});
