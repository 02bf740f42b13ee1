import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';

/**
 * The figures of a reliability run (fault matrix, adversarial suite, soak) as a JSON file, so
 * the README's Reliability tables are copied from a file and not from a terminal. The suites in
 * `npm test` write one only when POSTLINE_RESULTS_DIR names a directory, so a plain `npm test`
 * leaves the working tree as it was.
 */
export interface ReliabilityResult<T> {
  schema: 'postline-reliability/1';
  suite: string;
  finishedAt: string;
  /** The commit measured; `dirty` when tracked files had changes on top of it. */
  commit: { hash: string; dirty: boolean };
  machine: { nproc: number; cpuModel: string; memoryMb: number; node: string; kernel: string; loadAverage: number[] };
  figures: T;
}

/** The directory POSTLINE_RESULTS_DIR names (relative to the repository root), or undefined when unset. */
export function resultsDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.POSTLINE_RESULTS_DIR?.trim();
  if (!dir) return undefined;
  return isAbsolute(dir) ? dir : join(repositoryRoot(__dirname), dir);
}

/** Writes `<dir>/<suite>-<ISO date>.json` and returns its path. */
export async function writeReliabilityResult<T>(dir: string, suite: string, figures: T): Promise<string> {
  const finishedAt = new Date().toISOString();
  const result: ReliabilityResult<T> = {
    schema: 'postline-reliability/1',
    suite,
    finishedAt,
    commit: commitAtStart,
    machine: {
      nproc: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryMb: Math.round(totalmem() / 2 ** 20),
      node: process.version,
      kernel: release(),
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    figures,
  };
  mkdirSync(dir, { recursive: true });
  // Colons are not welcome in file names everywhere; the stamp stays sortable.
  const file = join(dir, `${suite}-${finishedAt.replace(/:/g, '-').replace(/\..*/, '')}Z.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  formatWithPrettier(file);
  return file;
}

/** Writes the result when POSTLINE_RESULTS_DIR is set (see `resultsDirFromEnv`); nothing otherwise. */
export async function writeReliabilityResultIfAsked<T>(suite: string, figures: T): Promise<string | undefined> {
  const dir = resultsDirFromEnv();
  return dir === undefined ? undefined : writeReliabilityResult(dir, suite, figures);
}

/** Read when a run loads this module, so edits made while it runs do not pass for what was measured. */
const commitAtStart = gitCommit();

function gitCommit(): { hash: string; dirty: boolean } {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: repositoryRoot(__dirname),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  try {
    return {
      hash: git('rev-parse', 'HEAD').trim(),
      dirty: git('status', '--porcelain', '--untracked-files=no').trim() !== '',
    };
  } catch {
    return { hash: 'unknown', dirty: true };
  }
}

/**
 * Formats the file as the repository's Prettier would, so a committed result passes `npm run lint`.
 * Prettier runs as its own process: its API loads itself with a dynamic import, which fails
 * inside jest (where the fault matrix and the adversarial suite write their results).
 */
function formatWithPrettier(file: string): void {
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
