import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** `@postline/common` is a real package: built JavaScript with declarations, and nothing else. */
describe('the @postline/common package', () => {
  it('packs its build output, declarations and bin, without sources or tests', () => {
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
    });
    const [{ files }] = JSON.parse(output) as [{ files: { path: string }[] }];
    const paths = files.map((f) => f.path);
    for (const expected of [
      'package.json',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      'dist/tools/index.js',
      'dist/tools/index.d.ts',
      'dist/tools/cli/postline-events.js',
      'bin/postline-events.js',
    ]) {
      expect(paths).toContain(expected);
    }
    expect(paths.filter((p) => p.startsWith('src/'))).toEqual([]);
    expect(paths.filter((p) => /\.test\./.test(p))).toEqual([]);
  });

  it('resolves its entry points through the exports map', () => {
    const root = join(__dirname, '..', '..');
    const resolved = (specifier: string) => require.resolve(specifier, { paths: [root] });
    expect(resolved('@postline/common/package.json')).toMatch(/common[/\\]package\.json$/);
    // Node's own resolution (jest maps @postline/common/* to the sources): the tools' entry point is built code.
    const tools = execFileSync(process.execPath, ['-p', "require.resolve('@postline/common/tools')"], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(tools.trim()).toMatch(/common[/\\]dist[/\\]tools[/\\]index\.js$/);
  });
});
