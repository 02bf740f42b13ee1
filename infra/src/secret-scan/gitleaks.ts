import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';

/** The repository, its scanner configuration (default rules plus the allow-listed fixtures) and the scanner. */
export const root = repositoryRoot(__dirname);
export const gitleaksConfig = join(root, '.gitleaks.toml');

/** What gitleaks reports per finding (its JSON report; the secret itself is redacted). */
export interface Finding {
  RuleID: string;
  Description: string;
  File: string;
  StartLine: number;
  Commit: string;
}

/** gitleaks, built from the Go module proxy by infra/k8s/install-tools.sh (`npm test` runs it). */
export function gitleaksBinary(): string {
  const binary = join(root, '.postline', 'bin', 'gitleaks');
  if (!existsSync(binary)) {
    throw new Error(`gitleaks is not installed at ${binary}: run infra/local/install.sh --tests`);
  }
  return binary;
}

/** The files git tracks in `repo` that exist in its working tree (a file deleted but not yet committed has nothing to scan). */
export function trackedFiles(repo: string): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((file) => file && existsSync(join(repo, file)));
}

/**
 * Scans the working-tree content of the files git tracks in `repo` (what the next commit would
 * hold, and nothing untracked or ignored: node_modules, builds, local data). gitleaks scans a
 * directory, so those files are copied into a temporary one first, under their repository paths.
 */
export function scanTrackedFiles(repo: string, config = gitleaksConfig): Finding[] {
  const copy = mkdtempSync(join(tmpdir(), 'postline-secret-scan-'));
  try {
    for (const file of trackedFiles(repo)) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(repo, file), join(copy, file));
    }
    return runGitleaks(['dir', '.'], copy, config);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Scans every commit of `repo`'s history: a secret committed once stays readable after it is deleted. */
export function scanHistory(repo: string, config = gitleaksConfig): Finding[] {
  return runGitleaks(['git', '.'], repo, config);
}

/** Runs gitleaks in `cwd` (so findings name paths relative to it) and returns its findings; fails on anything but "none" or "found". */
function runGitleaks(command: string[], cwd: string, config: string): Finding[] {
  const reportDir = mkdtempSync(join(tmpdir(), 'postline-secret-report-'));
  const report = join(reportDir, 'report.json');
  try {
    const run = spawnSync(
      gitleaksBinary(),
      [
        ...command,
        '--config',
        config,
        '--report-format',
        'json',
        '--report-path',
        report,
        '--redact',
        '--no-banner',
        '--no-color',
        '--log-level',
        'warn',
        '--exit-code',
        '3',
      ],
      { cwd, encoding: 'utf8', timeout: 120_000 },
    );
    // 0: nothing found; 3 (asked for above, to tell it from a failure): findings in the report.
    if (run.status !== 0 && run.status !== 3) {
      throw new Error(`gitleaks ${command.join(' ')} failed (${run.status ?? run.signal}): ${run.stderr || run.error}`);
    }
    const findings = JSON.parse(readFileSync(report, 'utf8')) as Finding[];
    if (run.status === 3 && findings.length === 0) throw new Error('gitleaks reported leaks but wrote none');
    return findings;
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

/** One line per finding, for a failing test's message. */
export function describeFindings(findings: Finding[]): string[] {
  return findings.map(
    (f) =>
      `${f.File}:${f.StartLine} ${f.RuleID}${f.Commit ? ` (commit ${f.Commit.slice(0, 10)})` : ''}: ${f.Description}`,
  );
}
