/**
 * `npm run bench`: starts the platform in production mode, seeds it,
 * measures reads, writes, event latency, rebuild speed and memory, prints
 * the tables and writes the JSON result. Options: see options.ts and README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';
import { runBenchmark } from './benchmark';
import { parseOptions } from './options';
import { formatReport } from './report';

/** The JSON as the repository's Prettier would write it, so a committed result passes `npm run lint`. */
async function formatted(json: string): Promise<string> {
  try {
    const prettier = (await import('prettier')) as {
      format(text: string, options: { parser: string }): Promise<string>;
    };
    return await prettier.format(json, { parser: 'json' });
  } catch {
    return json;
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
  const resultsDir = join(repositoryRoot(__dirname), 'infra', 'bench-results');
  options.out ||= join(resultsDir, `${stamp}${options.mode === 'smoke' ? '-smoke' : ''}.json`);
  if (options.cpuProfile) options.profileDir ||= join(resultsDir, `${stamp}-profile`);
  const result = await runBenchmark(options);
  process.stdout.write(`\n${formatReport(result)}\n`);
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, await formatted(`${JSON.stringify(result, null, 2)}\n`));
  process.stdout.write(`result written to ${options.out}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
