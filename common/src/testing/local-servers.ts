import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * Real servers on this machine, for tests and for `npm start`: the local
 * MongoDB stand-in (mongo-java-server behind our launcher, the jar
 * `infra/local/install.sh` builds) and Debian's nats-server. Each runs on a
 * free port with its data in a directory of the caller's choosing.
 */
export interface LocalServer {
  url: string;
  port: number;
  dataDir: string;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period) and waits for it; data stays. */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crash would, and waits for it to be gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory (after stop()). */
  start(): Promise<void>;
  /** Sends a signal to the running process: SIGSTOP and SIGCONT freeze and thaw it, for fault tests. */
  signal(signal: NodeJS.Signals): void;
  /** Stops it and removes its data directory if it was a temporary one. */
  dispose(): Promise<void>;
}

export interface LocalServerOptions {
  port?: number;
  /** Defaults to a fresh temporary directory removed on stop. */
  dataDir?: string;
  /** Where the process's output goes; defaults to a log file in the data directory. */
  stdio?: 'inherit' | 'pipe' | 'log-file';
  onOutput?: (chunk: Buffer) => void;
  /**
   * Run in its own process group, so a Ctrl-C in the terminal does not reach
   * it and the caller can stop it after the services that use it.
   */
  detached?: boolean;
}

/** The repository root: the nearest directory above with `infra/local/install.sh`. */
export function repositoryRoot(from = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'infra', 'local', 'install.sh'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no Postline repository above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The launcher jar `infra/local/install.sh` builds from `infra/local/mongo/`. */
export function localMongoJar(): string {
  return process.env.LOCAL_MONGO_JAR ?? join(repositoryRoot(), '.postline', 'bin', 'local-mongo.jar');
}

/** Mailpit, built by `infra/local/install.sh` from the Go module proxy. */
export function mailpitBinary(): string {
  return process.env.MAILPIT_BIN ?? join(repositoryRoot(), '.postline', 'bin', 'mailpit');
}

export function natsServerBinary(): string {
  return process.env.NATS_SERVER_BIN ?? 'nats-server';
}

// A port picked by listen(0) comes from the kernel's range for outgoing connections (32768–60999 on
// Linux), so any connection made between the pick and the real server's bind can take it: a service
// started by a test then dies with EADDRINUSE (seen in CI). Ports below that range are only ever
// taken by an explicit bind, so pick one there at random and check it is free on every address.
const pickedPorts = new Set<number>();
const lowestPort = 20_000;
const portCount = 32_768 - lowestPort;

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = lowestPort + Math.floor(Math.random() * portCount);
    if (pickedPorts.has(port) || !(await canBind(port))) continue;
    pickedPorts.add(port);
    return port;
  }
  throw new Error(`no free port found between ${lowestPort} and ${lowestPort + portCount - 1}`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolveBind) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolveBind(false));
    // No host: the wildcard address, the one the services bind.
    server.listen(port, () => server.close(() => resolveBind(true)));
  });
}

/** Whether anything accepts connections on the local port (a test that something stopped listening). */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolveListening) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveListening(true);
    });
    socket.once('error', () => resolveListening(false));
  });
}

export interface LocalMongoOptions extends LocalServerOptions {
  /**
   * `file`: the data in memory and a journal of every write in the data directory; data survives
   * restarts, and every write is in the journal file before it is acknowledged (survives `kill -9`).
   * `memory`: nothing on disk, for test runs that want speed.
   */
  storage?: 'file' | 'memory';
  /** The JVM's heap cap (`-Xmx`), in MiB; both storages keep every document on the heap. */
  heapMb?: number;
  /** `file`: the journal size (MiB) from which it is compacted into a snapshot while running; default 128. */
  compactMb?: number;
}

/** The local MongoDB stand-in: mongo-java-server on Java 17 (see infra/local/README.md). */
export function startLocalMongo(options: LocalMongoOptions = {}): Promise<LocalServer> {
  const jar = localMongoJar();
  if (!existsSync(jar)) {
    throw new Error(`the local MongoDB is not built at ${jar}: run \`npm run setup\` (infra/local/install.sh)`);
  }
  const storage = options.storage ?? 'file';
  return startProcess('mongo', options, (port, dataDir) => ({
    command: process.env.JAVA_BIN ?? 'java',
    args: [
      `-Xmx${options.heapMb ?? 1024}m`,
      // One small collector: the heap is small and a second core is the services'.
      '-XX:+UseSerialGC',
      '-jar',
      jar,
      '--port',
      String(port),
      ...(storage === 'file'
        ? [
            '--backend',
            'journal',
            '--dir',
            dataDir,
            ...(options.compactMb ? ['--compact-mb', String(options.compactMb)] : []),
          ]
        : ['--backend', 'memory']),
    ],
    url: `mongodb://127.0.0.1:${port}`,
  }));
}

export interface NatsOptions extends LocalServerOptions {
  /** A member of a JetStream cluster: its route port and every member's route port (its own included). */
  cluster?: { name: string; port: number; routes: number[] };
  /**
   * A configuration file (`-c`), e.g. one with users and permissions; the options here (port, data
   * directory, JetStream) override what it says. `env` adds to the server's environment, for the
   * variables such a file refers to.
   */
  config?: { file: string; env?: Record<string, string> };
}

export function startNats(options: NatsOptions = {}): Promise<LocalServer> {
  const { cluster } = options;
  const clusterArgs = cluster
    ? [
        '--cluster_name',
        cluster.name,
        '--cluster',
        `nats://127.0.0.1:${cluster.port}`,
        '--routes',
        cluster.routes.map((port) => `nats://127.0.0.1:${port}`).join(','),
      ]
    : [];
  return startProcess('nats', options, (port, dataDir) => ({
    command: natsServerBinary(),
    args: [
      // A configuration's monitoring port and pid file (the chart's 8222, /var/run/nats) are not
      // this machine's to take: no monitoring, the pid file in the data directory.
      ...(options.config ? ['-c', options.config.file, '-m', '0', '-P', join(dataDir, 'nats.pid')] : []),
      ...['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dataDir, '-n', `postline-${port}`, ...clusterArgs],
    ],
    url: `nats://127.0.0.1:${port}`,
    env: options.config?.env,
  }));
}

export interface MailServer extends LocalServer {
  /** The SMTP port mail is sent to (`port` is the same). */
  smtpPort: number;
  /** The web inbox and its HTTP API (`/api/v1/…`), e.g. `http://127.0.0.1:8025`. */
  inboxUrl: string;
}

export interface MailServerOptions extends LocalServerOptions {
  /** The inbox's HTTP port; a free one by default. */
  inboxPort?: number;
}

/**
 * Mailpit: a real SMTP server that keeps every mail in a web inbox with an HTTP API, for
 * `npm start` and the tests. It accepts any sender and, with credentials or without, any login,
 * without TLS: it is a local stand-in for the relay, which on Kubernetes is configured by a Secret.
 */
export async function startMailpit(options: MailServerOptions = {}): Promise<MailServer> {
  const binary = mailpitBinary();
  if (!process.env.MAILPIT_BIN && !existsSync(binary)) {
    throw new Error(`Mailpit is not built at ${binary}: run \`npm run setup\` (infra/local/install.sh)`);
  }
  const inboxPort = options.inboxPort ?? (await freePort());
  const server = await startProcess('mailpit', options, (port, dataDir) => ({
    command: binary,
    args: [
      ...['--smtp', `127.0.0.1:${port}`, '--listen', `127.0.0.1:${inboxPort}`],
      ...['--database', join(dataDir, 'mailpit.db')],
      ...['--smtp-auth-accept-any', '--smtp-auth-allow-insecure', '--disable-version-check'],
    ],
    url: `smtp://127.0.0.1:${port}`,
  }));
  await waitForPort(inboxPort, 30_000, 'mailpit inbox');
  return { ...server, smtpPort: server.port, inboxUrl: `http://127.0.0.1:${inboxPort}` };
}

async function startProcess(
  name: string,
  options: LocalServerOptions,
  commandFor: (
    port: number,
    dataDir: string,
  ) => { command: string; args: string[]; url: string; env?: Record<string, string> },
): Promise<LocalServer> {
  const port = options.port ?? (await freePort());
  const temporary = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `postline-${name}-`));
  mkdirSync(dataDir, { recursive: true });
  const { command, args, url, env } = commandFor(port, dataDir);
  let child: ChildProcess | undefined;

  const launch = async () => {
    const stdio = options.stdio ?? 'log-file';
    const log = stdio === 'log-file' ? openSync(join(dataDir, `${name}.log`), 'a') : undefined;
    child = spawn(command, args, {
      stdio: stdio === 'inherit' ? 'inherit' : ['ignore', log ?? 'pipe', log ?? 'pipe'],
      detached: options.detached ?? false,
      ...(env ? { env: { ...process.env, ...env } } : {}),
    });
    if (options.onOutput) {
      child.stdout?.on('data', options.onOutput);
      child.stderr?.on('data', options.onOutput);
    }
    const exited = new Promise<never>((_, reject) => {
      child?.once('error', reject);
      child?.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
    });
    await Promise.race([waitForPort(port, 30_000, name), exited]);
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
  };

  const stopProcess = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    url,
    port,
    dataDir,
    start: launch,
    stop: () => stopProcess('SIGTERM'),
    kill: () => stopProcess('SIGKILL'),
    signal: (signal) => void child?.kill(signal),
    dispose: async () => {
      await stopProcess();
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function waitForPort(port: number, timeoutMs: number, what = 'server'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((r) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        r(true);
      });
      socket.once('error', () => r(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
}
