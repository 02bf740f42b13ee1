import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRateLimitEnv } from '@postline/common';
import { Mailbox } from '@postline/common/testing';
import { EventsClient } from '@postline/common/tools';
import { startPlatform, type Platform } from '../local/platform';

/**
 * Every rate limit out of reach: sign-ins and sign-ups (auth) and each write limit, taken from
 * the write limits' own settings, so a limit added there is lifted here too.
 */
export const rateLimitsLifted: Record<string, string> = Object.fromEntries(
  ['AUTH_RATE_LIMIT_MAX', ...Object.keys(writeRateLimitEnv.shape).filter((name) => name.endsWith('_MAX'))].map(
    (name) => [name, '1000000'],
  ),
);

/**
 * For suites that sign many users up from one address and write in bursts: the rate limits are
 * not what they test (each is tested on its own), and a cheap password hash keeps sign-ups fast.
 */
export const bulkWritesEnv = {
  ...rateLimitsLifted,
  PASSWORD_SCRYPT_COST: '1024',
  LOG_LEVEL: 'warn',
};

/** Events go round quickly: outbox sweeps every 0.5 s, a failed handler's first retry after 0.1 s. */
export const quickEventsEnv = { OUTBOX_SWEEP_MS: '500', EVENT_RETRY_BASE_MS: '100' };

export interface TestPlatform {
  platform: Platform;
  /** Every line the processes printed, tagged `[part]`, in order. */
  logs: string[];
  /** A connection to the platform's streams and consumers (closed by `stop`). */
  events: EventsClient;
  /** The inbox of the platform's SMTP server (Mailpit): every mail it sent. */
  mailbox: Mailbox;
  /** Stops the platform and deletes its data. */
  stop(): Promise<void>;
}

/**
 * The whole platform for an end-to-end suite: free ports, its data in a fresh temporary
 * folder, the processes' output kept in `logs`.
 */
export async function startTestPlatform(name: string, env: Record<string, string>): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), `postline-${name}-`));
  const logs: string[] = [];
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  let platform: Platform | undefined;
  try {
    platform = await startPlatform({
      freePorts: true,
      dataDir,
      env,
      log: (part, line) => logs.push(`[${part}] ${line}`),
    });
    const events = await EventsClient.connect({ server: platform.natsUrl, name: `${name}-test` });
    const started = platform;
    return {
      platform: started,
      logs,
      events,
      mailbox: new Mailbox(started.inboxUrl!),
      stop: async () => {
        await events.close();
        await started.stop();
        removeData();
      },
    };
  } catch (err) {
    // Why a process never got ready is in its last lines.
    process.stderr.write(logs.slice(-60).join('\n') + '\n');
    await platform?.stop();
    removeData();
    throw err;
  }
}

/**
 * The lines logged at error level or above (`warnings`: warn too). The services' pino logs name
 * their level (`"level":"warn"`, see common's logger), not pino's numbers.
 */
export function problemLines(logs: string[], options: { warnings?: boolean } = {}): string[] {
  const levels = options.warnings ? /"level":"(warn|error|fatal)"/ : /"level":"(error|fatal)"/;
  return logs.filter((line) => levels.test(line));
}

/**
 * Prints (to stderr) the lines logged since the last call at error level or above (`warnings`:
 * warn too), then forgets them: an afterEach shows what went wrong inside the services.
 */
export function reportLogged(logs: string[], options: { warnings?: boolean; max?: number } = {}): void {
  const problems = problemLines(logs.splice(0), options);
  if (problems.length === 0) return;
  const what = options.warnings ? 'service warnings' : 'service errors';
  process.stderr.write(`${what}:\n${problems.slice(0, options.max ?? 20).join('\n')}\n`);
}
