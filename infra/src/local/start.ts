import { prettyFactory } from 'pino-pretty';
import { startPlatform } from './platform';

/**
 * `npm start`: the whole platform on this machine, logs prefixed by part,
 * until Ctrl-C stops everything it started.
 */
const pretty = prettyFactory({
  colorize: process.stdout.isTTY,
  ignore: 'pid,hostname,service',
  translateTime: 'HH:MM:ss.l',
  singleLine: true,
});

const width = 10;
function print(part: string, line: string): void {
  let text = line;
  if (line.startsWith('{')) {
    try {
      text = pretty(JSON.parse(line)).trimEnd();
    } catch {
      // not JSON after all: print as it is
    }
  }
  process.stdout.write(`${`[${part}]`.padEnd(width)} ${text}\n`);
}

async function main(): Promise<void> {
  const port = process.env.PORT ? Number(process.env.PORT) : undefined;
  print('platform', 'starting NATS, the local MongoDB, Mailpit, the services and the gateway…');
  const platform = await startPlatform({ port, log: print });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    print('platform', `${signal}: stopping everything…`);
    await platform.stop();
    print('platform', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  print('platform', `Postline is ready at ${platform.url}  (Ctrl-C stops it)`);
  if (platform.inboxUrl)
    print('platform', `mail it sends (sign-up, reset links) is in the inbox at ${platform.inboxUrl}`);
}

main().catch((err: unknown) => {
  print('platform', `failed to start: ${(err as Error).message}`);
  process.exit(1);
});
