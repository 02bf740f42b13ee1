import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { generateTokenKeys } from '@postline/common';
import {
  freePort,
  repositoryRoot,
  startLocalMongo,
  startMailpit,
  startNats,
  type LocalServer,
  type MailServer,
} from '@postline/common/testing';
import { loadRouteTable, serviceNames } from '../route-table';
import { maxWritesInFlightFromEnv, startGateway, type Gateway } from './gateway';
import { commandFor, defaultMetricsPorts, defaultPorts } from './local-services';

export interface PlatformOptions {
  /** Gateway port; 0 picks a free one. */
  port?: number;
  /** Where NATS and the local MongoDB keep their data and the generated token keys live. */
  dataDir?: string;
  /** Use free ports for everything (tests), instead of the fixed local ports. */
  freePorts?: boolean;
  /** Receives every line the processes print, tagged with its part's name. */
  log?: (part: string, line: string) => void;
  /** Extra environment for every service (e.g. NODE_ENV=production for benchmarks). */
  env?: Record<string, string>;
  /** Extra arguments for every service's `node` (e.g. `--cpu-prof` for benchmarks; not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

export interface Platform {
  url: string;
  /** Service name → its own origin (bypassing the gateway), for tests and benchmarks. */
  services: Record<string, string>;
  mongoUrl: string;
  natsUrl: string;
  /** Auth's key pair for session tokens (tests sign with the private key as auth would). */
  tokenKeys: TokenKeys;
  /** The servers the platform started itself (absent when NATS_URL / MONGO_URL point elsewhere), for fault tests. */
  nats?: LocalServer;
  mongo?: LocalServer;
  /** The local SMTP server (Mailpit) auth sends mail to, absent when SMTP_HOST points elsewhere. */
  mail?: MailServer;
  /** Its web inbox and HTTP API (`/api/v1/…`), where every mail the platform sends can be read. */
  inboxUrl?: string;
  /** Stops one service process (SIGTERM), for fault tests; `restart` starts it again, with `env` added if given. */
  stopService(name: string): Promise<void>;
  restartService(name: string, env?: Record<string, string>): Promise<void>;
  /** Sends a signal to a service's process (SIGKILL: a crash; SIGSTOP / SIGCONT: a freeze), for fault tests. */
  signalService(name: string, signal: NodeJS.Signals): void;
  /** Service name → process id of each running service process (for benchmarks reading /proc). */
  pids(): Record<string, number>;
  stop(): Promise<void>;
}

/**
 * The whole platform on this machine: nats-server and the local MongoDB (unless
 * NATS_URL / MONGO_URL point elsewhere), every built service as its own
 * process, and the gateway serving the route table on one port. Resolves once
 * every part answers its readiness check.
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const root = repositoryRoot(__dirname);
  const dataDir = options.dataDir ?? process.env.POSTLINE_DATA_DIR ?? join(root, '.postline', 'data');
  mkdirSync(dataDir, { recursive: true });
  const log = options.log ?? ((part, line) => process.stdout.write(`[${part}] ${line}\n`));
  const portOf = async (part: string) => (options.freePorts ? freePort() : defaultPorts[part]!);
  const servers: LocalServer[] = [];
  const processes = new Map<string, ChildProcess>();

  let gateway: Gateway | undefined;
  const stopAll = async () => {
    await Promise.all([...processes.keys()].map((name) => stopProcess(processes, name)));
    await Promise.all(servers.map((s) => s.stop()));
  };

  try {
    const nats = process.env.NATS_URL
      ? undefined
      : await started(
          servers,
          startNats({ port: await portOf('nats'), dataDir: join(dataDir, 'nats'), detached: true }),
        );
    const mongo = process.env.MONGO_URL
      ? undefined
      : await started(
          servers,
          startLocalMongo({ port: await portOf('mongo'), dataDir: join(dataDir, 'mongo'), detached: true }),
        );
    // Mail: Mailpit unless an SMTP relay is configured (SMTP_HOST), so sign-ups and resets work at once.
    const smtpConfigured = Boolean(process.env.SMTP_HOST ?? options.env?.SMTP_HOST);
    const mail = smtpConfigured
      ? undefined
      : await started(
          servers,
          startMailpit({
            port: await portOf('smtp'),
            inboxPort: await portOf('inbox'),
            dataDir: join(dataDir, 'mailpit'),
            detached: true,
          }),
        );
    const natsUrl = process.env.NATS_URL ?? nats!.url;
    const mongoUrl = process.env.MONGO_URL ?? mongo!.url;
    const tokenKeys = localTokenKeys(dataDir);

    const routes = loadRouteTable();
    const services: Record<string, string> = {};
    // Chosen before the services start: the client writes the public origin into feeds and links (PUBLIC_URL).
    const gatewayPort = options.port ?? (await portOf('gateway'));
    const publicUrl = `http://localhost:${gatewayPort}`;
    const launchers = new Map<string, (env?: Record<string, string>) => Promise<void>>();
    for (const name of serviceNames(routes)) {
      const command = commandFor(root, name);
      if (!command) {
        log('platform', `${name} is not built; skipping it (the gateway answers 503 for its routes)`);
        continue;
      }
      const port = await portOf(name);
      const origin = `http://127.0.0.1:${port}`;
      services[name] = origin;
      const launch = async (extraEnv: Record<string, string> = {}) => {
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          ...serviceEnv(
            name,
            port,
            { natsUrl, mongoUrl, tokenKeys, publicUrl, mail },
            services,
            options.freePorts ?? false,
          ),
          ...options.env,
          ...extraEnv,
        };
        // Only auth signs: no other process is given the private key.
        if (name !== 'auth') delete env.JWT_PRIVATE_KEY;
        const child = spawn(command.command, [...(options.nodeArgs ?? []), ...command.args], {
          cwd: command.cwd,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        processes.set(name, child);
        pipeLines(child, name, log);
        child.once('exit', (code, signal) => {
          if (processes.get(name) === child) {
            processes.delete(name);
            log('platform', `${name} exited (${signal ?? `code ${code}`})`);
          }
        });
        await waitUntilReady(`${origin}${command.readinessPath}`, name, child, options.readyTimeoutMs ?? 120_000);
      };
      launchers.set(name, launch);
    }
    // The gateway binds its port before the services start (it answers 503 for them until they are
    // up): the port was chosen for PUBLIC_URL, and a free port left unbound for the seconds the
    // services take to start can be taken by another process meanwhile (seen in CI).
    gateway = await startGateway({
      port: gatewayPort,
      routes,
      upstreams: services,
      logger: pino({ level: 'warn', base: { service: 'gateway' } }),
      // The platform's environment sets the gateway's load shedding as it sets the services'.
      maxWritesInFlight: maxWritesInFlightFromEnv({ ...process.env, ...options.env }),
      // npm start keeps nginx's config and logs where they can be read; tests and benchmarks use a temporary one.
      runDir: options.freePorts ? undefined : join(root, '.postline', 'run', 'nginx'),
    });
    await Promise.all([...launchers.values()].map((launch) => launch()));
    const url = publicUrl;
    return {
      url,
      services,
      mongoUrl,
      natsUrl,
      tokenKeys,
      nats,
      mongo,
      mail,
      inboxUrl: mail?.inboxUrl,
      stopService: (name) => stopProcess(processes, name),
      signalService: (name, signal) => void processes.get(name)?.kill(signal),
      restartService: async (name, env) => {
        await stopProcess(processes, name);
        await launchers.get(name)?.(env);
      },
      pids: () =>
        Object.fromEntries(
          [...processes].flatMap(([name, child]) => (child.pid === undefined ? [] : [[name, child.pid] as const])),
        ),
      stop: async () => {
        await gateway?.close();
        await stopAll();
      },
    };
  } catch (err) {
    await gateway?.close();
    await stopAll();
    throw err;
  }
}

async function started<S extends LocalServer>(servers: LocalServer[], starting: Promise<S>): Promise<S> {
  const server = await starting;
  servers.push(server);
  return server;
}

function serviceEnv(
  name: string,
  port: number,
  infra: { natsUrl: string; mongoUrl: string; tokenKeys: TokenKeys; publicUrl: string; mail?: MailServer },
  services: Record<string, string>,
  freePorts: boolean,
): Record<string, string> {
  const env: Record<string, string> = {
    PORT: String(port),
    NATS_URL: infra.natsUrl,
    MONGO_URL: infra.mongoUrl,
    JWT_PUBLIC_KEY: infra.tokenKeys.publicKey,
    ...(name === 'auth' ? { JWT_PRIVATE_KEY: infra.tokenKeys.privateKey } : {}),
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  // Several services on one machine: each needs a metrics port of its own (0: any free one).
  const metricsPort = defaultMetricsPorts[name];
  if (metricsPort !== undefined) env.METRICS_PORT = String(freePorts ? 0 : metricsPort);
  if (name === 'auth') {
    // Mailed links open the site's pages, at its public origin.
    env.PUBLIC_URL = (!freePorts && process.env.PUBLIC_URL) || infra.publicUrl;
    if (infra.mail) Object.assign(env, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(infra.mail.smtpPort) });
  }
  if (name === 'client') {
    // Server-side rendering reaches each service directly, as it would inside a cluster.
    for (const [other, origin] of Object.entries(services)) env[`${other.toUpperCase()}_URL`] = origin;
    // npm start may be told its public origin (behind a proxy); a test platform is reached at its gateway.
    env.PUBLIC_URL = (!freePorts && process.env.PUBLIC_URL) || infra.publicUrl;
  }
  return env;
}

export interface TokenKeys {
  privateKey: string;
  publicKey: string;
}

/**
 * Auth's token keys: JWT_PRIVATE_KEY and JWT_PUBLIC_KEY from the environment, else a pair made at
 * first start and kept in the data directory (never in git), so sessions survive restarts.
 */
function localTokenKeys(dataDir: string): TokenKeys {
  if (process.env.JWT_PRIVATE_KEY && process.env.JWT_PUBLIC_KEY) {
    return { privateKey: process.env.JWT_PRIVATE_KEY, publicKey: process.env.JWT_PUBLIC_KEY };
  }
  const privateFile = join(dataDir, 'jwt-private.pem');
  const publicFile = join(dataDir, 'jwt-public.pem');
  if (!existsSync(privateFile) || !existsSync(publicFile)) {
    const keys = generateTokenKeys();
    writeFileSync(privateFile, keys.privateKey, { mode: 0o600 });
    writeFileSync(publicFile, keys.publicKey);
  }
  return { privateKey: readFileSync(privateFile, 'utf8'), publicKey: readFileSync(publicFile, 'utf8') };
}

function pipeLines(child: ChildProcess, name: string, log: (part: string, line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => log(name, line));
  }
}

async function waitUntilReady(url: string, name: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before it was ready (code ${child.exitCode ?? child.signalCode})`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready within ${timeoutMs} ms (${url})`);
}

async function stopProcess(processes: Map<string, ChildProcess>, name: string): Promise<void> {
  const child = processes.get(name);
  if (!child) return;
  processes.delete(name);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
