import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { installedTool, k8sDir } from './repository';

/** A rendered Kubernetes object, loosely typed: the checks read what they need. */
/* eslint-disable @typescript-eslint/no-explicit-any */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [key: string]: any;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

export function overlayNames(): string[] {
  return readdirSync(join(k8sDir, 'overlays'));
}

/** Renders an overlay exactly as `kubectl apply -k` / skaffold would: with the real kustomize. */
export function renderOverlay(overlay: string): KubeObject[] {
  const output = execFileSync(installedTool('kustomize'), ['build', join(k8sDir, 'overlays', overlay)], {
    encoding: 'utf8',
  });
  return parseYamlDocuments(output);
}

export function parseYamlDocuments(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

/** A deep copy of rendered objects with one edit made: a manifest broken on purpose, for a check to catch. */
export function editedCopy(objects: KubeObject[], edit: (copy: KubeObject[]) => void): KubeObject[] {
  const copy = structuredClone(objects);
  edit(copy);
  return copy;
}
