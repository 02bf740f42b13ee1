import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface EntryPointRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A service's built main (`<workspace>/dist/index.js`) as its own process, as the platform
 * starts it, with only PATH and the given environment (on free ports unless it says otherwise).
 */
export function runEntryPoint(
  workspace: string,
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<EntryPointRun> {
  const main = join(workspace, 'dist', 'index.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -b)`);
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [main],
      { env: { PATH: process.env.PATH, PORT: '0', METRICS_PORT: '0', ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => done({ code: child.exitCode ?? (error ? -1 : 0), stdout, stderr }),
    );
  });
}

/**
 * Runs a service's built main with a bad environment and checks it is refused as an operator
 * should see it: exit 1, a plain `<service>: Invalid configuration` report naming every problem
 * given, and no stack trace.
 */
export async function expectConfigurationRefused(
  workspace: string,
  env: Record<string, string>,
  problems: (string | RegExp)[],
): Promise<void> {
  const run = await runEntryPoint(workspace, env);
  const output = run.stdout + run.stderr;
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(new RegExp(`^${basename(workspace)}: Invalid configuration:\\n`));
  for (const problem of problems) expect(output).toMatch(problem);
  expect(output).not.toMatch(/^\s+at /m);
}
