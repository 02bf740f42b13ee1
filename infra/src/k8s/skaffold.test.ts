import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { deployableFolders, root } from './repository';

/** Skaffold's published schema for v4beta14, pinned in the repository so the test runs offline. */
const SCHEMA_PATH = join(root, 'infra', 'k8s', 'schemas', 'skaffold-v4beta14.json');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const skaffold: any = parse(readFileSync(join(root, 'skaffold.yaml'), 'utf8'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const artifacts: any[] = skaffold.build.artifacts;

describe('skaffold.yaml', () => {
  it('validates against the skaffold/v4beta14 schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
    expect(skaffold.apiVersion).toBe('skaffold/v4beta14');
    const valid = validate(skaffold);
    expect(valid ? [] : validate.errors).toEqual([]);
  });

  it('has an image for every service folder and the client, each with a Dockerfile and context that exist', () => {
    const images = artifacts.map((a) => a.image);
    expect(images.sort()).toEqual(expect.arrayContaining(deployableFolders().sort()));
    for (const artifact of artifacts) {
      expect(existsSync(join(root, artifact.context))).toBe(true);
      expect(existsSync(join(root, artifact.context, artifact.docker.dockerfile))).toBe(true);
    }
  });

  it('builds every image from the repository root, each for its own service', () => {
    for (const artifact of artifacts) {
      expect(artifact.context).toBe('.');
      const service = artifact.docker.buildArgs?.SERVICE ?? 'client';
      expect(service).toBe(artifact.image);
    }
  });

  it("syncs each image's own sources in `skaffold dev` and deploys the gke overlay with profile gke", () => {
    const sync = skaffold.profiles.find((p: { name: string }) => p.name === 'sync');
    expect(sync.activation).toEqual([{ command: 'dev' }]);
    artifacts.forEach((artifact, index) => {
      const syncPatch = sync.patches.find((p: { path: string }) => p.path === `/build/artifacts/${index}/sync`);
      expect(syncPatch.value.manual.every((rule: { src: string }) => rule.src.startsWith(`${artifact.image}/`))).toBe(
        true,
      );
      expect(sync.patches).toContainEqual({ op: 'add', path: `/build/artifacts/${index}/docker/target`, value: 'dev' });
    });
    const gke = skaffold.profiles.find((p: { name: string }) => p.name === 'gke');
    expect(gke.manifests.kustomize.paths).toEqual(['infra/k8s/overlays/gke']);
    expect(skaffold.manifests.kustomize.paths).toEqual(['infra/k8s/overlays/local']);
    // `skaffold dev` deploys the local overlay with room for the dev loop (overlays/dev).
    expect(sync.patches).toContainEqual({
      op: 'replace',
      path: '/manifests/kustomize/paths/0',
      value: 'infra/k8s/overlays/dev',
    });
  });
});
