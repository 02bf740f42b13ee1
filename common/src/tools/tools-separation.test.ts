import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const commonDist = join(root, 'common', 'dist');
const toolsFile = /[/\\]common[/\\](dist|src)[/\\]tools[/\\]|[/\\]node_modules[/\\]commander[/\\]/;

/** Every file node loads for the given modules, in a fresh process (the built JavaScript, as services run it). */
function loadedFiles(modules: string[]): string[] {
  for (const module of modules)
    if (!existsSync(module)) throw new Error(`${module} is missing: build first (npx tsc -b)`);
  const script = `for (const m of ${JSON.stringify(modules)}) require(m);
process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })) as string[];
}

/** The services' own code as their mains load it: configuration and definition (index.js would start them). */
const services = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces
  .map((workspace) => join(root, workspace, 'dist'))
  .filter((dist) => existsSync(join(dist, 'service.js')));

/** The operator tools (events client, CLI) live apart from the runtime: a service never loads them. */
describe('@postline/common/tools', () => {
  it("is not loaded by @postline/common's main entry point", () => {
    const loaded = loadedFiles([join(commonDist, 'index.js')]);
    expect(loaded.some((file) => file.startsWith(commonDist))).toBe(true);
    expect(loaded.filter((file) => toolsFile.test(file))).toEqual([]);
  });

  it.each(services)("is not loaded by the service's configuration and definition (%s)", (dist) => {
    const loaded = loadedFiles([join(dist, 'config.js'), join(dist, 'service.js')]);
    expect(loaded).toContain(join(commonDist, 'index.js'));
    expect(loaded.filter((file) => toolsFile.test(file))).toEqual([]);
  });

  it('finds the five services, and sees the tools when they are loaded (the check can fail)', () => {
    expect(services).toHaveLength(5);
    const loaded = loadedFiles([join(commonDist, 'tools', 'index.js'), join(commonDist, 'tools', 'cli', 'program.js')]);
    expect(loaded).toContain(join(commonDist, 'tools', 'events-client', 'events-client.js'));
    expect(loaded.some((file) => /[/\\]node_modules[/\\]commander[/\\]/.test(file))).toBe(true);
  });
});
