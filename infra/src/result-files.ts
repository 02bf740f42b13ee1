import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';

/**
 * What every result file says beside its figures (the benchmark's, the reliability suites'): the
 * code measured and the machine it ran on, and the file itself formatted for the repository.
 */

/**
 * The commit checked out, and the top-level folders with uncommitted changes then (engineers share
 * the checkout; a run measures what was built from the working tree).
 */
export interface MeasuredSource {
  commit: string;
  uncommitted: string[];
}

export function measuredSource(): MeasuredSource {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repositoryRoot(__dirname),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  try {
    const changed = git('status', '--porcelain')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3).split(' -> ').pop()!.split('/')[0]!);
    return { commit: git('rev-parse', '--short', 'HEAD').trim(), uncommitted: [...new Set(changed)].sort() };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}

export interface MachineFacts {
  nproc: number;
  cpuModel: string;
  memoryMb: number;
  node: string;
  kernel: string;
}

export function machineFacts(): MachineFacts {
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    kernel: release(),
  };
}

/**
 * Writes `value` as JSON, formatted as the repository's Prettier would, so a committed result
 * passes `npm run lint`. Prettier runs as its own process: its API loads itself with a dynamic
 * import, which fails inside jest (where the fault matrix and the adversarial suite write theirs).
 */
export function writeResultFile(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  try {
    const root = repositoryRoot(__dirname);
    execFileSync(
      process.execPath,
      [require.resolve('prettier/bin/prettier.cjs'), '--config', join(root, '.prettierrc.json'), '--write', file],
      { cwd: root, stdio: 'ignore' },
    );
  } catch {
    // Unformatted JSON is still the result; `npm run format` tidies it.
  }
}
