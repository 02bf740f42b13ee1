import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { legacyTestJwtKey } from '@postline/common/testing';
import { describeFindings, gitleaksConfig, root, scanHistory, scanTrackedFiles } from './gitleaks';

/**
 * Secrets never enter git: gitleaks (default rules, .gitleaks.toml's allow-listed fixtures)
 * over the files git tracks and over the whole history. The planted cases prove the scan can
 * fail: their secrets are made at run time, so no literal one sits in this file.
 */

const alphanumerics = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A token shaped like a GitHub personal access token, random each run. */
const fakeGithubToken = () => `ghp_${Array.from({ length: 36 }, () => alphanumerics[randomInt(62)]).join('')}`;
/** A real private key, freshly generated (and thrown away). */
const fakePrivateKey = () =>
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

describe('secret scan (gitleaks)', () => {
  it('finds no secret in the files git tracks', () => {
    expect(describeFindings(scanTrackedFiles(root))).toEqual([]);
  });

  it('finds no secret anywhere in the history', () => {
    expect(describeFindings(scanHistory(root))).toEqual([]);
  });

  describe('in a repository with secrets planted in it', () => {
    let repo: string;
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', ...args], {
        cwd: repo,
        stdio: 'pipe',
      });
    const write = (file: string, content: string) => {
      mkdirSync(dirname(join(repo, file)), { recursive: true });
      writeFileSync(join(repo, file), content);
    };

    beforeEach(() => {
      repo = mkdtempSync(join(tmpdir(), 'postline-planted-'));
      git('init', '-q', '-b', 'main');
      copyFileSync(gitleaksConfig, join(repo, '.gitleaks.toml'));
      write('README.md', '# A project\n');
      git('add', '.');
      git('commit', '-q', '-m', 'start');
    });

    afterEach(() => rmSync(repo, { recursive: true, force: true }));

    it('reports a token and a private key in tracked files, naming where they are', () => {
      write('deploy/ci.env', `NODE_ENV=production\nGITHUB_TOKEN=${fakeGithubToken()}\n`);
      write('deploy/tls/server.key', fakePrivateKey());
      write('untracked.env', `GITHUB_TOKEN=${fakeGithubToken()}\n`);
      git('add', 'deploy');

      const found = scanTrackedFiles(repo).map((f) => `${f.File} ${f.RuleID}`);
      expect(found.sort()).toEqual(['deploy/ci.env github-pat', 'deploy/tls/server.key private-key']);
    });

    it('reports a secret that was committed and deleted since, with its commit', () => {
      write('config/local.env', `GITHUB_TOKEN=${fakeGithubToken()}\n`);
      git('add', '.');
      git('commit', '-q', '-m', 'oops');
      const leaked = git('rev-parse', 'HEAD').toString().trim();
      git('rm', '-q', 'config/local.env');
      git('commit', '-q', '-m', 'remove the token');

      expect(scanTrackedFiles(repo)).toEqual([]);
      const found = scanHistory(repo);
      expect(found.map((f) => [f.File, f.RuleID, f.Commit])).toEqual([['config/local.env', 'github-pat', leaked]]);
    });

    it('allows a fixture’s made-up key only in its own file', () => {
      write('common/src/testing/test-infrastructure.ts', `export const legacyTestJwtKey = '${legacyTestJwtKey}';\n`);
      write('auth/src/config.ts', `export const jwtKey = '${legacyTestJwtKey}';\n`);
      git('add', '.');

      const found = scanTrackedFiles(repo).map((f) => `${f.File} ${f.RuleID}`);
      expect(found).toEqual(['auth/src/config.ts generic-api-key']);
    });
  });
});
