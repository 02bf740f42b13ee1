import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventsClient } from '@postline/common/tools';
import { freePort, repositoryRoot } from '@postline/common/testing';
import { pino } from 'pino';
import { loadRouteTable } from '../route-table';
import { startGateway, type Gateway } from '../local/gateway';
import { startPlatform, type Platform } from '../local/platform';
import { rateLimitsLifted } from '../e2e/test-platform';
import type { BareAnswer } from './bare-server';
import { waitFor } from './bench-user';
import { runningLoadWorkers } from './load';
import type { BenchOptions } from './options';
import { infrastructureProcesses, nginxGroup, nginxMasterOn } from './platform-processes';
import { ProcessWatch, round, sampleGroup, type ProcessGroups } from './process-stats';
import { runningRebuildCommands } from './rebuild-phase';

export interface PhaseUsage {
  seconds: number;
  processes: Record<string, { maxRssMb: number; cpuPercent: number; cpuS: number }>;
  machineCpuPercent: number;
}

export const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

/**
 * The platform one benchmark run measures, and what every phase shares:
 * its processes (found once, looked up again where they change), `measured`
 * (a phase's CPU per process and largest RSS), the warnings the services
 * logged, and the bare ceilings (a bare Node server answering recorded bytes,
 * directly and behind a second nginx gateway).
 */
export class BenchRun {
  readonly usage: Record<string, PhaseUsage> = {};
  /** Largest RSS (MB) of each process (group) seen during the measured phases. */
  readonly underLoad: Record<string, number> = {};
  private fixedGroups: ProcessGroups = {};
  private bare?: ChildProcess;
  private bareGateway?: Gateway;
  private readonly started = performance.now();

  private constructor(
    readonly platform: Platform,
    readonly dataDir: string,
    /** Lines the services logged at warn level or above, and the benchmark's own notes. */
    readonly warnings: string[],
  ) {}

  /** Starts the platform in production mode on free ports with a fresh data directory. */
  static async start(options: BenchOptions): Promise<BenchRun> {
    const dataDir = mkdtempSync(join(tmpdir(), 'postline-bench-'));
    const warnings: string[] = [];
    const nodeArgs: string[] = [];
    if (options.cpuProfile) {
      mkdirSync(options.profileDir, { recursive: true });
      nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${resolve(options.profileDir)}`);
    }
    log(`starting the platform (production mode) in ${dataDir}`);
    let platform: Platform;
    try {
      platform = await startPlatform({
        freePorts: true,
        dataDir,
        env: {
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          MODERATOR_EMAILS: 'benchmod@example.test',
          // The seed and the write phases sign up and write from one address, hundreds of comments a
          // second from a few users: not what the limits are for.
          ...rateLimitsLifted,
          // The readers' live streams all come from one address here; in the world they are many clients.
          QUERY_LIVE_MAX_PER_CLIENT: '1000000',
        },
        nodeArgs,
        log: (part, line) => {
          if (warnings.length < 200 && !line.includes('"level":30')) warnings.push(`[${part}] ${line.slice(0, 500)}`);
        },
      });
    } catch (err) {
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
    const run = new BenchRun(platform, dataDir, warnings);
    const infrastructure = infrastructureProcesses(dataDir);
    const gatewayMaster = nginxMasterOn(run.gatewayPort);
    run.refreshGroups = () => {
      run.fixedGroups = {
        ...Object.fromEntries(Object.entries(platform.pids()).map(([name, pid]) => [name, [pid]])),
        nats: infrastructure.nats,
        mongo: infrastructure.mongo,
        gateway: nginxGroup(gatewayMaster),
        bench: [process.pid],
        ...(run.bare?.pid ? { 'bare server': [run.bare.pid] } : {}),
        ...(run.bareGateway ? { 'bare gateway': nginxGroup(run.bareGateway.pid) } : {}),
      };
    };
    run.refreshGroups();
    log(`platform up at ${platform.url}; processes ${JSON.stringify(run.fixedGroups)}`);
    if (!infrastructure.mongo.length || gatewayMaster === undefined)
      run.warnings.push('[bench] the local MongoDB or the gateway process was not found: its figures are missing');
    return run;
  }

  private refreshGroups: () => void = () => undefined;

  private get gatewayPort(): number {
    return Number(new URL(this.platform.url).port);
  }

  /** The gateway's origin (what users reach). */
  get gateway(): string {
    return this.platform.url.replace('localhost', '127.0.0.1');
  }

  /** Seconds since the run started, for the progress log. */
  get elapsedS(): number {
    return round((performance.now() - this.started) / 1000);
  }

  /** Every process group now: the fixed ones, and the load generators and rebuild commands that come and go. */
  groups = (): ProcessGroups => ({
    ...this.fixedGroups,
    'query rebuild': runningRebuildCommands(),
    load: runningLoadWorkers(),
  });

  /** The fixed process groups (the platform's, the benchmark's, the ceilings'). */
  get processGroups(): ProcessGroups {
    return this.fixedGroups;
  }

  /** Runs a phase, recording its CPU per process and the largest RSS of each. */
  measured = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    log(`${name}… (${this.elapsedS} s into the run)`);
    const phaseStarted = performance.now();
    const watch = new ProcessWatch(this.groups);
    const result = await run();
    const seconds = (performance.now() - phaseStarted) / 1000;
    const figures = watch.stop();
    // A phase over in a blink (a drain with nothing left) says nothing about CPU.
    if (seconds >= 0.3) this.usage[name] = { seconds: round(seconds, 1), ...figures };
    for (const [proc, { maxRssMb }] of Object.entries(figures.processes)) {
      if (proc !== 'load' && Number.isFinite(maxRssMb))
        this.underLoad[proc] = Math.max(this.underLoad[proc] ?? 0, maxRssMb);
    }
    return result;
  };

  /**
   * The ceilings: a bare Node server (its own process) answering exactly
   * `answers` (recorded bytes), and the same behind a second nginx gateway.
   * Resolves to their origins.
   */
  async startCeilings(answers: (Omit<BareAnswer, 'file'> & { bytes: Buffer })[]): Promise<{
    bare: string;
    bareViaGateway: string;
  }> {
    const files: BareAnswer[] = answers.map(({ bytes, ...answer }, i) => {
      const file = join(this.dataDir, `bare-answer-${i}`);
      writeFileSync(file, bytes);
      return { ...answer, file };
    });
    const answersFile = join(this.dataDir, 'bare-answers.json');
    writeFileSync(answersFile, JSON.stringify(files));
    const port = await freePort();
    this.bare = await startBareServer(answersFile, port);
    const bare = `http://127.0.0.1:${port}`;
    this.bareGateway = await startGateway({
      port: 0,
      routes: loadRouteTable(),
      upstreams: { ...this.platform.services, query: bare },
      logger: pino({ level: 'warn' }),
    });
    this.refreshGroups();
    return { bare, bareViaGateway: `http://127.0.0.1:${this.bareGateway.port}` };
  }

  /** RSS (MB) of each process group now. */
  memoryNow(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.groups())
        .filter(([, pids]) => pids.length > 0)
        .map(([name, pids]) => [name, round(sampleGroup(pids)?.rssMb ?? NaN, 1)]),
    );
  }

  /** VmHWM (MB) of each fixed group: the largest RSS each process ever had. */
  peakMemory(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.fixedGroups).map(([name, pids]) => [name, round(sampleGroup(pids)?.peakRssMb ?? NaN, 1)]),
    );
  }

  /**
   * Waits until every durable consumer has delivered and acknowledged
   * everything (the platform is idle again); false if it did not within the
   * timeout (then `warning`, if given, is noted and the run goes on).
   */
  async quiet(timeoutS: number, warning?: string): Promise<boolean> {
    const events = await EventsClient.connect({ server: this.platform.natsUrl });
    try {
      await waitFor('the event consumers to catch up', timeoutS * 1000, async () => {
        const consumers = await events.consumers();
        return consumers.every((c) => c.lag === 0 && c.unacknowledged === 0);
      });
      return true;
    } catch (err) {
      log(String(err));
      if (warning) this.warnings.push(`[bench] ${warning}`);
      return false;
    } finally {
      await events.close();
    }
  }

  async stop(): Promise<void> {
    await this.bareGateway?.close().catch(() => undefined);
    this.bare?.kill('SIGTERM');
    await this.platform.stop().catch((err: unknown) => log(`stopping the platform: ${String(err)}`));
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function startBareServer(answersFile: string, port: number): Promise<ChildProcess> {
  const script = join(repositoryRoot(__dirname), 'infra', 'dist', 'bench', 'bare-server.js');
  readFileSync(script); // a clear error if the benchmark is not built
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, answersFile, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bare server exited (code ${code})`)));
    child.stdout!.once('data', () => resolve(child));
  });
}
