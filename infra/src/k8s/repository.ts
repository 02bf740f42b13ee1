import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';

/** Where the Kubernetes tests find things in the repository. */
export const root = repositoryRoot(__dirname);
export const k8sDir = join(root, 'infra', 'k8s');
export const toolsBin = join(root, '.postline', 'bin');

/** A tool infra/k8s/install-tools.sh builds into .postline/bin (kustomize, actionlint, promtool). */
export function installedTool(name: string): string {
  const binary = join(toolsBin, name);
  if (!existsSync(binary)) throw new Error(`${name} is not installed at ${binary}: run infra/k8s/install-tools.sh`);
  return binary;
}

/** Workspaces that are libraries or tooling, not deployable services. */
const LIBRARY_WORKSPACES = new Set(['common', 'infra']);

/**
 * Every folder that must ship as an image: each workspace with a `src/`
 * (a service as soon as someone starts writing it) except the libraries, and
 * the client once it has a package.json. Read at test time, so new services
 * are covered without editing any test.
 */
export function deployableFolders(): string[] {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  const folders = workspaces.filter((name) => !LIBRARY_WORKSPACES.has(name) && existsSync(join(root, name, 'src')));
  if (existsSync(join(root, 'client', 'package.json')) && !folders.includes('client')) folders.push('client');
  return folders;
}

export interface Route {
  prefix: string;
  service: string;
}

/** infra/routes.json: the one route table (owned by the local runtime). */
export function routeTable(): Route[] {
  return (JSON.parse(readFileSync(join(root, 'infra', 'routes.json'), 'utf8')) as { routes: Route[] }).routes;
}

/** What infra/k8s/create-secrets.sh creates, as "secret key" strings (its --list). */
export function secretsCreated(): string[] {
  return execFileSync('bash', [join(k8sDir, 'create-secrets.sh'), '--list'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .flatMap((line) => {
      const [name, ...keys] = line.split(' ');
      return keys.map((key) => `${name} ${key}`);
    });
}
