import { readdirSync, readFileSync } from 'node:fs';

/** Linux process facts from /proc, for starting and stopping nginx (no `ps` needed). */

/** Ids of the live processes whose parent is `pid`. */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => parentOf(Number(entry)) === pid)
    .map(Number);
}

/** The process's command line as `ps` shows it, or undefined once it is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // `pid (comm) state ppid ...`; comm may contain spaces and parentheses, so read after the last `)`.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** This process's soft limit on open files (inherited by nginx), or a conservative guess. */
export function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    return Number.isFinite(soft) ? soft : 1024;
  } catch {
    return 1024;
  }
}
