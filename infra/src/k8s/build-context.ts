import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import dockerignore from '@balena/dockerignore';

/**
 * The files `docker build` sends as the build context: every file under the
 * context directory that the ignore file lets through. Like BuildKit, a
 * `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's
 * `.dockerignore`.
 */
export function buildContextFiles(contextDir: string, dockerfilePath: string): string[] {
  const specific = `${dockerfilePath}.dockerignore`;
  const ignoreFile = existsSync(specific) ? specific : join(contextDir, '.dockerignore');
  const patterns = existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8').split('\n') : [];
  const ignore = dockerignore({ ignorecase: false }).add(patterns);
  const negations = patterns
    .map((p) => p.trim())
    .filter((p) => p.startsWith('!'))
    .map((p) => p.slice(1));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = relative(contextDir, join(dir, entry.name));
      if (entry.isDirectory()) {
        // An ignored folder is skipped unless a `!` pattern may bring back something inside it.
        if (ignore.ignores(path) && !negations.some((n) => n.startsWith(`${path}/`))) continue;
        walk(join(dir, entry.name));
      } else if (!ignore.ignores(path)) {
        files.push(path);
      }
    }
  };
  walk(contextDir);
  return files.sort();
}
