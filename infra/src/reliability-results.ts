import { loadavg } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';
import { machineFacts, measuredSource, writeResultFile, type MachineFacts, type MeasuredSource } from './result-files';

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
  /** The code measured, as it was when the run started. */
  source: MeasuredSource;
  machine: MachineFacts & { loadAverage: number[] };
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
    source: sourceAtStart,
    machine: { ...machineFacts(), loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) },
    figures,
  };
  // Colons are not welcome in file names everywhere; the stamp stays sortable.
  const file = join(dir, `${suite}-${finishedAt.replace(/:/g, '-').replace(/\..*/, '')}Z.json`);
  writeResultFile(file, result);
  return file;
}

/** Writes the result when POSTLINE_RESULTS_DIR is set (see `resultsDirFromEnv`); nothing otherwise. */
export async function writeReliabilityResultIfAsked<T>(suite: string, figures: T): Promise<string | undefined> {
  const dir = resultsDirFromEnv();
  return dir === undefined ? undefined : writeReliabilityResult(dir, suite, figures);
}

/** Read when a run loads this module, so edits made while it runs do not pass for what was measured. */
const sourceAtStart = measuredSource();
