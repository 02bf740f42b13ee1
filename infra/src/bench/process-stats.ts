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
 * temporary data directory, which nats-server and FerretDB are started with),
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
 * Watches a named set of processes during a phase: the largest RSS seen
 * (sampled every `everyMs`) and the CPU each used, as a share of one core.
 */
export class ProcessWatch {
  private readonly maxRss = new Map<string, number>();
  private readonly startCpu = new Map<string, number>();
  private readonly started = Date.now();
  private readonly startMachineCpu = machineBusyCpuS();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: () => Record<string, number>,
    everyMs = 250,
  ) {
    for (const [name, pid] of Object.entries(pids())) {
      const sample = sampleProcess(pid);
      if (sample) this.startCpu.set(name, sample.cpuS);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids())) {
      const sample = sampleProcess(pid);
      if (sample) this.maxRss.set(name, Math.max(this.maxRss.get(name) ?? 0, sample.rssMb));
    }
  }

  /** Per process: max RSS (MB) and CPU as % of one core over the phase; plus the whole machine's busy %. */
  stop(): { processes: Record<string, { maxRssMb: number; cpuPercent: number }>; machineCpuPercent: number } {
    clearInterval(this.timer);
    this.sample();
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    const processes: Record<string, { maxRssMb: number; cpuPercent: number }> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      const now = sampleProcess(pid);
      const before = this.startCpu.get(name);
      processes[name] = {
        maxRssMb: round(this.maxRss.get(name) ?? now?.rssMb ?? NaN, 1),
        cpuPercent: now && before !== undefined ? round(((now.cpuS - before) / seconds) * 100, 0) : NaN,
      };
    }
    return { processes, machineCpuPercent: round(((machineBusyCpuS() - this.startMachineCpu) / seconds) * 100, 0) };
  }
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
