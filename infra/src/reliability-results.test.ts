import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '@postline/common/testing';
import { resultsDirFromEnv, writeReliabilityResult, writeReliabilityResultIfAsked } from './reliability-results';

describe('reliability results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postline-results-'));
  const saved = process.env.POSTLINE_RESULTS_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.POSTLINE_RESULTS_DIR;
    else process.env.POSTLINE_RESULTS_DIR = saved;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes nothing unless POSTLINE_RESULTS_DIR is set (npm test leaves the tree clean)', async () => {
    delete process.env.POSTLINE_RESULTS_DIR;
    expect(await writeReliabilityResultIfAsked('suite', { rows: [] })).toBeUndefined();
    expect(resultsDirFromEnv({ POSTLINE_RESULTS_DIR: ' ' })).toBeUndefined();
  });

  it('reads a relative directory from the repository root', () => {
    expect(resultsDirFromEnv({ POSTLINE_RESULTS_DIR: 'infra/reliability-results' })).toBe(
      join(repositoryRoot(__dirname), 'infra', 'reliability-results'),
    );
    expect(resultsDirFromEnv({ POSTLINE_RESULTS_DIR: dir })).toBe(dir);
  });

  it('writes the figures with the commit and the machine to <suite>-<ISO date>.json', async () => {
    process.env.POSTLINE_RESULTS_DIR = join(dir, 'nested');
    const file = await writeReliabilityResultIfAsked('fault-matrix', { rows: [{ scenario: 'x', lost: 0 }] });
    expect(file).toMatch(/nested\/fault-matrix-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
    expect(readdirSync(join(dir, 'nested'))).toHaveLength(1);
    const result = JSON.parse(readFileSync(file!, 'utf8'));
    expect(result).toMatchObject({
      schema: 'postline-reliability/1',
      suite: 'fault-matrix',
      source: { commit: expect.stringMatching(/^[0-9a-f]{7,}$/), uncommitted: expect.any(Array) },
      machine: { nproc: expect.any(Number), memoryMb: expect.any(Number), node: process.version },
      figures: { rows: [{ scenario: 'x', lost: 0 }] },
    });
    expect(Date.parse(result.finishedAt)).not.toBeNaN();
    // Formatted as the repository's Prettier writes JSON (npm run lint checks committed results).
    const text = readFileSync(file!, 'utf8');
    expect(text).toMatch(/"loadAverage": \[[\d., ]+\]/);
    const check = spawnSync(
      process.execPath,
      [
        require.resolve('prettier/bin/prettier.cjs'),
        '--config',
        join(repositoryRoot(__dirname), '.prettierrc.json'),
        '--check',
        file!,
      ],
      { encoding: 'utf8' },
    );
    expect({ status: check.status, output: check.stdout + check.stderr }).toMatchObject({ status: 0 });
    await writeReliabilityResult(dir, 'other', {});
    expect(readdirSync(dir).filter((f) => f.startsWith('other-'))).toHaveLength(1);
  });
});
