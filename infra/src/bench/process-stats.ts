import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

export interface ProcessSample {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size over the process's life (VmHWM), MB. */
  peakRssMb: number;
  /** CPU time used so far (user + system), seconds. */
  cpuS: number;
}

function kbField(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** RSS and CPU time of one process from /proc, or undefined if it is gone. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ": utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssMb: kbField(status, 'VmRSS'), peakRssMb: kbField(status, 'VmHWM'), cpuS: ticks / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/**
 * Processes whose command line mentions `needle` (e.g. the benchmark's own
 * temporary data directory, which nats-server and the local MongoDB are started with),
 * so that only this run's servers are found, never another engineer's.
 */
export function processesMentioning(needle: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (command.includes(needle)) found.push({ pid: Number(entry), command });
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/**
 * A named part of the platform is one process or a few (nginx: a master and
 * its workers); its RSS and CPU are the sums over them.
 */
export type ProcessGroups = Record<string, number[]>;

/** RSS, peak RSS and CPU time of a group of processes (sums over those still alive), or undefined if none is. */
export function sampleGroup(pids: number[]): ProcessSample | undefined {
  const samples = pids.map(sampleProcess).filter((s): s is ProcessSample => s !== undefined);
  if (samples.length === 0) return undefined;
  return {
    rssMb: samples.reduce((sum, s) => sum + s.rssMb, 0),
    peakRssMb: samples.reduce((sum, s) => sum + s.peakRssMb, 0),
    cpuS: samples.reduce((sum, s) => sum + s.cpuS, 0),
  };
}

/** Total and per-core load of the machine, to note how busy it was (other engineers share it). */
export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [one!, five!, fifteen!];
}

/** CPU seconds the whole machine spent busy (not idle/iowait) so far, from /proc/stat. */
export function machineBusyCpuS(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS;
}

/**
 * Watches named groups of processes during a phase: the largest RSS seen
 * (sampled every `everyMs`) and the CPU each group used, as a share of one
 * core. CPU is followed per process: one that appears during the phase (a
 * load generator) counts from zero, one that ends counts until it was last seen.
 */
export class ProcessWatch {
  private readonly maxRss = new Map<string, number>();
  /** pid → CPU seconds when first seen, and the latest seen; by group. */
  private readonly cpu = new Map<string, Map<number, { first: number; last: number }>>();
  private readonly started = Date.now();
  private readonly startMachineCpu = machineBusyCpuS();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly groups: () => ProcessGroups,
    everyMs = 250,
  ) {
    for (const [name, pids] of Object.entries(groups())) {
      const byPid = new Map<number, { first: number; last: number }>();
      for (const pid of pids) {
        const sample = sampleProcess(pid);
        if (sample) byPid.set(pid, { first: sample.cpuS, last: sample.cpuS });
      }
      this.cpu.set(name, byPid);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const [name, pids] of Object.entries(this.groups())) {
      let rss = 0;
      let alive = 0;
      const byPid = this.cpu.get(name) ?? new Map<number, { first: number; last: number }>();
      this.cpu.set(name, byPid);
      for (const pid of pids) {
        const sample = sampleProcess(pid);
        if (!sample) continue;
        alive++;
        rss += sample.rssMb;
        const seen = byPid.get(pid);
        if (seen) seen.last = sample.cpuS;
        else byPid.set(pid, { first: 0, last: sample.cpuS }); // started during the phase
      }
      if (alive) this.maxRss.set(name, Math.max(this.maxRss.get(name) ?? 0, rss));
    }
  }

  /** Per group: max RSS (MB), CPU seconds used and CPU as % of one core over the phase; plus the whole machine's busy %. */
  stop(): {
    processes: Record<string, { maxRssMb: number; cpuPercent: number; cpuS: number }>;
    machineCpuPercent: number;
  } {
    clearInterval(this.timer);
    this.sample();
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const processes: Record<string, { maxRssMb: number; cpuPercent: number; cpuS: number }> = {};
    for (const [name, byPid] of this.cpu) {
      const used = [...byPid.values()].reduce((sum, { first, last }) => sum + (last - first), 0);
      processes[name] = {
        maxRssMb: round(this.maxRss.get(name) ?? NaN, 1),
        cpuPercent: byPid.size ? round((used / seconds) * 100, 0) : NaN,
        cpuS: byPid.size ? round(used, 2) : NaN,
      };
    }
    return { processes, machineCpuPercent: round(((machineBusyCpuS() - this.startMachineCpu) / seconds) * 100, 0) };
  }
}

/** Least-squares slope of y over x: how fast a sampled figure (a backlog, a process's memory) grows. */
export function leastSquaresSlope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - meanX) * (y - meanY), 0);
  const sxx = points.reduce((s, [x]) => s + (x - meanX) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/** The p-th percentile of sorted values (nearest rank); NaN for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
