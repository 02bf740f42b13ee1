import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { installedTool, root } from './repository';

const workflowsDir = join(root, '.github', 'workflows');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const workflow = (name: string): any => parse(readFileSync(join(workflowsDir, name), 'utf8'));

describe('GitHub workflows', () => {
  it('pass actionlint', () => {
    const actionlint = installedTool('actionlint');
    const files = readdirSync(workflowsDir).map((f) => join(workflowsDir, f));
    // shellcheck is not installed here; actionlint's own checks (expressions, contexts, action inputs) still run.
    expect(() =>
      execFileSync(actionlint, ['-shellcheck=', '-pyflakes=', ...files], { encoding: 'utf8' }),
    ).not.toThrow();
  });

  it("ci runs the README's test command on pull requests", () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on)).toContain('pull_request');
    const commands = ci.jobs.test.steps.map((s: { run?: string }) => s.run ?? '');
    expect(commands).toContain('npm test');
  });

  it('deploy runs on main after the tests, with Workload Identity Federation and commit-tagged images', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on.push.branches).toEqual(['main']);
    expect(deploy.jobs.deploy.needs).toBe('test');
    expect(deploy.jobs.deploy.permissions['id-token']).toBe('write');
    const steps = deploy.jobs.deploy.steps;
    const auth = steps.find((s: { uses?: string }) => s.uses?.startsWith('google-github-actions/auth@'));
    expect(auth.with.workload_identity_provider).toBeTruthy();
    expect(auth.with.credentials_json).toBeUndefined();
    const run = steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    expect(run).toMatch(/skaffold run -p gke[\s\S]*--default-repo=[\s\S]*--tag="\$\{GITHUB_SHA\}"/);
  });
});
