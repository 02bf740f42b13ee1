/**
 * `npm run bench`: starts the platform in production mode, seeds it,
 * measures reads, writes, event latency, rebuild speed and memory, prints
 * the tables and writes the JSON result. Options: see options.ts and README.md.
 */
import { join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';
import { runBenchmark } from './benchmark';
import { parseOptions } from './options';
import { formatReport } from './report';
import { writeResultFile } from '../result-files';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
  const resultsDir = join(repositoryRoot(__dirname), 'infra', 'bench-results');
  options.out ||= join(resultsDir, `${stamp}${options.mode === 'smoke' ? '-smoke' : ''}.json`);
  if (options.cpuProfile) options.profileDir ||= join(resultsDir, `${stamp}-profile`);
  const result = await runBenchmark(options);
  process.stdout.write(`\n${formatReport(result)}\n`);
  writeResultFile(options.out, result);
  process.stdout.write(`result written to ${options.out}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
