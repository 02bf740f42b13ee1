import { readFileSync } from 'node:fs';
import { childPids, commandLine } from '../local/processes';
import { processesMentioning, type ProcessGroups } from './process-stats';

/**
 * The servers of this run that are not the platform's own service processes:
 * nats-server and the local MongoDB (a JVM: `java … -jar …/local-mongo.jar …
 * --file <dataDir>/mongo/…`), found by the run's temporary data directory in
 * their command lines, so another engineer's servers are never counted.
 */
export function infrastructureProcesses(dataDir: string): { nats: number[]; mongo: number[] } {
  const found = processesMentioning(dataDir);
  return {
    nats: found.filter(({ command }) => /nats-server/.test(command)).map(({ pid }) => pid),
    mongo: found.filter(({ command }) => /local-mongo\.jar/.test(command)).map(({ pid }) => pid),
  };
}

/**
 * The nginx master this process started for the gateway on `port` (its
 * config names the port) — the platform does not hand out its pid.
 */
export function nginxMasterOn(port: number, parent = process.pid): number | undefined {
  for (const pid of childPids(parent)) {
    const command = commandLine(pid) ?? '';
    if (!command.startsWith('nginx: master')) continue;
    const conf = /-c (\S+)/.exec(command)?.[1];
    try {
      if (conf && new RegExp(`listen\\s+(\\S+:)?${port}\\b`).test(readFileSync(conf, 'utf8'))) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** An nginx master and its workers: the gateway's processes. */
export function nginxGroup(master: number | undefined): number[] {
  if (master === undefined) return [];
  return [master, ...childPids(master).filter((pid) => commandLine(pid)?.startsWith('nginx:'))];
}

/** Groups whose members can change (nginx workers) are looked up again by `refresh`; the rest are fixed. */
export class PlatformProcesses {
  private cached: ProcessGroups = {};

  constructor(private readonly lookup: () => ProcessGroups) {
    this.refresh();
  }

  refresh(): ProcessGroups {
    this.cached = Object.fromEntries(Object.entries(this.lookup()).filter(([, pids]) => pids.length > 0));
    return this.cached;
  }

  get groups(): ProcessGroups {
    return this.cached;
  }
}
