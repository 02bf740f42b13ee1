import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { freePort } from '@postline/common/testing';
import type { Route } from '../route-table';
import { renderNginxConfig } from './nginx-config';
import { childPids, commandLine, openFileLimit } from './processes';

export interface GatewayOptions {
  /** 0 picks a free port (nginx cannot report an ephemeral one, so it is chosen before start). */
  port: number;
  routes: Route[];
  /** Service name → origin, e.g. `auth` → `http://127.0.0.1:3001`; a routed service missing here answers 503. */
  upstreams: Record<string, string>;
  logger?: Logger;
  /** How long an upstream may take to answer (or stay silent) before the gateway answers 504. Default 30 s. */
  upstreamTimeoutMs?: number;
  /** Where nginx keeps its config, pid, logs and temp files; default a temporary directory removed on close. */
  runDir?: string;
  /** Largest request body, nginx size syntax. Default `1m`; the services' own JSON limit is smaller. */
  maxBodySize?: string;
  /** Write a buffered access log to `runDir/access.log` (off by default: it costs throughput). */
  accessLog?: boolean;
  /**
   * Writes proxied to one service at once; past it the gateway answers 503 with `Retry-After: 1`
   * at once instead of queueing in front of the service. Default `GATEWAY_MAX_WRITES_IN_FLIGHT`
   * from the environment, else 16: what the comment pipeline finishes in about half a second on
   * 2 cores (30–45 comments/s, measured at 200/s offered: with 32 the accepted POSTs took p50
   * 1.0 s, p99 4.7 s). 0: no limit.
   */
  maxWritesInFlight?: number;
}

export interface Gateway {
  port: number;
  /** nginx's master process id. */
  pid: number;
  runDir: string;
  /** Stops nginx (graceful, then forced) and waits until no nginx process of it is left. */
  close(): Promise<void>;
}

/** nginx: `NGINX_BIN`, else the PATH, else Debian's /usr/sbin/nginx (not on every user's PATH). */
export function nginxBinary(): string {
  if (process.env.NGINX_BIN) return process.env.NGINX_BIN;
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'nginx'))
    .find((file) => existsSync(file));
  return onPath ?? '/usr/sbin/nginx';
}

/**
 * The local stand-in for the Ingress: Debian's nginx, the proxy ingress-nginx
 * runs, configured from the route table (see nginx-config.ts) and run as a
 * child process of the current user with everything it writes under runDir.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const binary = nginxBinary();
  if (!existsSync(binary)) throw new Error(`nginx not found at ${binary}: run \`npm run setup\` (or set NGINX_BIN)`);
  const temporary = !options.runDir;
  const runDir = resolve(options.runDir ?? mkdtempSync(join(tmpdir(), 'postline-nginx-')));
  mkdirSync(join(runDir, 'temp'), { recursive: true });

  // A free port can be taken between choosing it and nginx binding it: choose again then.
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await freePort());
    try {
      const child = await launch(binary, runDir, { ...options, port });
      return handle(child, port, runDir, temporary, options.logger);
    } catch (err) {
      const retry = !options.port && attempt < 3 && /Address already in use/.test((err as Error).message);
      if (!retry) {
        if (temporary) rmSync(runDir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

/** GATEWAY_MAX_WRITES_IN_FLIGHT of an environment (see GatewayOptions.maxWritesInFlight). */
export function maxWritesInFlightFromEnv(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.GATEWAY_MAX_WRITES_IN_FLIGHT ?? 16);
  if (!Number.isInteger(value) || value < 0) throw new Error('GATEWAY_MAX_WRITES_IN_FLIGHT must be a whole number ≥ 0');
  return value;
}

async function launch(binary: string, runDir: string, options: GatewayOptions): Promise<ChildProcess> {
  const conf = join(runDir, 'nginx.conf');
  const errorLog = join(runDir, 'error.log');
  const pidFile = join(runDir, 'nginx.pid');
  writeFileSync(
    conf,
    renderNginxConfig({
      routes: options.routes,
      upstreams: options.upstreams,
      port: options.port,
      runDir,
      upstreamTimeoutMs: options.upstreamTimeoutMs ?? 30_000,
      maxBodySize: options.maxBodySize ?? '1m',
      accessLog: options.accessLog ?? false,
      ipv6: hasIpv6Loopback(),
      workerConnections: Math.max(256, Math.min(4096, openFileLimit() - 64)),
      runAsRoot: process.getuid?.() === 0,
      maxWritesInFlight: options.maxWritesInFlight ?? maxWritesInFlightFromEnv(),
    }),
  );
  rmSync(pidFile, { force: true }); // left by a run that was killed: it must not look like this one
  const errorsBefore = existsSync(errorLog) ? readFileSync(errorLog, 'utf8').length : 0;
  // -p/-c/-e keep nginx away from /etc/nginx and /var/log/nginx entirely.
  const child = spawn(binary, ['-p', `${runDir}/`, '-c', conf, '-e', errorLog], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group, like NATS and Mongo: a Ctrl-C reaches the platform, which stops nginx in order.
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const failure = () => {
    const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8').slice(errorsBefore) : '';
    return new Error(`nginx did not start on port ${options.port}: ${(log || stderr).trim() || 'no message'}`);
  };

  // nginx writes its pid file after it has bound the port, before it starts its workers.
  const deadline = Date.now() + 15_000;
  while (!(existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(child.pid))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw failure();
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

function handle(
  child: ChildProcess,
  port: number,
  runDir: string,
  temporary: boolean,
  logger: Logger | undefined,
): Gateway {
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let closing = false;
  child.once('exit', (code, signal) => {
    if (!closing) logger?.error({ code, signal, errorLog: join(runDir, 'error.log') }, 'nginx exited unexpectedly');
  });
  // If this process exits without close(), nginx must not outlive it (a signal is all `exit` allows).
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);

  return {
    port,
    pid: child.pid!,
    runDir,
    close: async () => {
      closing = true;
      process.removeListener('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        const workers = childPids(child.pid!);
        // SIGQUIT: finish requests in flight (worker_shutdown_timeout bounds it); then force.
        child.kill('SIGQUIT');
        const force = setTimeout(() => child.kill('SIGTERM'), 5_000);
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(force);
        clearTimeout(kill);
        // The master reaps its workers before it exits; one that outlived a killed master goes now.
        for (const pid of workers) if (commandLine(pid)?.startsWith('nginx: worker')) signal(pid, 'SIGKILL');
      }
      if (temporary) rmSync(runDir, { recursive: true, force: true });
    },
  };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function hasIpv6Loopback(): boolean {
  try {
    return readFileSync('/proc/net/if_inet6', 'utf8').includes('00000000000000000000000000000001');
  } catch {
    return false;
  }
}
