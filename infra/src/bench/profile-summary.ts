/**
 * Summarises V8 CPU profiles (`--cpu-prof`) into what a reader needs to see
 * where the time goes: self time by package or source area, and the hottest
 * functions. `node infra/dist/bench/profile-summary.js <profile dir>` writes
 * `summary.md` next to the profiles (`pids.json` maps process ids to names).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  name: string;
  totalMs: number;
  /** Self time by area: a package in node_modules, a Postline workspace, node internals, GC, idle. */
  byArea: { area: string; ms: number; percent: number }[];
  topFunctions: { fn: string; ms: number; percent: number }[];
}

function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(garbage collector)') return '(garbage collector)';
    if (functionName === '(program)') return '(program: V8/native)';
    return `(native) ${functionName}`;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  // The client's own code, as Next.js compiled it (its packages are in node_modules above).
  if (/\/client\/\.next\//.test(url)) return '@postline/client (.next)';
  const workspace =
    /\/work\/[^/]+\/([^/]+)\/dist\//.exec(url) ??
    /\/(common|auth|posts|comments|moderation|query|infra)\/dist\//.exec(url);
  if (workspace) return `@postline/${workspace[1]}`;
  return url;
}

export function summariseProfile(name: string, profile: CpuProfile, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of self) {
    const node = byId.get(id);
    if (!node) continue;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + micros);
    const fn =
      `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(\w+\/dist\/)/, '$1')}:${lineNumber + 1}` : ''}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + micros);
  }
  const list = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .map(([key, micros]) => ({
        key,
        ms: Math.round(micros / 1000),
        percent: Math.round((micros / Math.max(total, 1)) * 1000) / 10,
      }));
  return {
    name,
    totalMs: Math.round(total / 1000),
    byArea: list(areas)
      .slice(0, top)
      .map(({ key, ms, percent }) => ({ area: key, ms, percent })),
    topFunctions: list(functions)
      .filter((f) => !f.key.startsWith('(idle)'))
      .slice(0, top)
      .map(({ key, ms, percent }) => ({ fn: key, ms, percent })),
  };
}

export function summariseDirectory(dir: string): string {
  const pids: Record<string, number> = existsSync(join(dir, 'pids.json'))
    ? JSON.parse(readFileSync(join(dir, 'pids.json'), 'utf8'))
    : {};
  const nameOf = (file: string) => {
    if (file.startsWith('rebuild')) return 'query rebuild';
    const pid = Number(/^CPU\.\d+\.\d+\.(\d+)\./.exec(file)?.[1]);
    return Object.entries(pids).find(([, p]) => p === pid)?.[0] ?? file;
  };
  const sections: string[] = ['# CPU profiles of the benchmark run', ''];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()) {
    const summary = summariseProfile(nameOf(file), JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
    sections.push(
      `## ${summary.name} (${file}), ${summary.totalMs} ms sampled`,
      '',
      '| self time by area | ms | % |',
      '| --- | ---: | ---: |',
    );
    for (const a of summary.byArea) sections.push(`| ${a.area} | ${a.ms} | ${a.percent} |`);
    sections.push('', '| hottest functions (self) | ms | % |', '| --- | ---: | ---: |');
    for (const f of summary.topFunctions)
      sections.push(`| \`${f.fn.replace(/\|/g, '\\|')}\` | ${f.ms} | ${f.percent} |`);
    sections.push('');
  }
  return sections.join('\n');
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node profile-summary.js <directory of .cpuprofile files>\n');
    process.exit(2);
  }
  writeFileSync(join(dir, 'summary.md'), summariseDirectory(dir));
  process.stdout.write(`${join(dir, 'summary.md')}\n`);
}
