import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type Platform } from '../local/platform';

/**
 * For suites that sign many users up from one address and write in bursts: the rate limits are
 * not what they test (each is tested on its own), and a cheap password hash keeps sign-ups fast.
 */
export const bulkWritesEnv = {
  AUTH_RATE_LIMIT_MAX: '100000',
  WRITE_RATE_LIMIT_MAX: '100000',
  PASSWORD_SCRYPT_COST: '1024',
  LOG_LEVEL: 'warn',
};

export interface TestPlatform {
  platform: Platform;
  /** Every line the processes printed, tagged `[part]`, in order. */
  logs: string[];
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
  let platform: Platform;
  try {
    platform = await startPlatform({
      freePorts: true,
      dataDir,
      env,
      log: (part, line) => logs.push(`[${part}] ${line}`),
    });
  } catch (err) {
    // Why a process never got ready is in its last lines.
    process.stderr.write(logs.slice(-60).join('\n') + '\n');
    removeData();
    throw err;
  }
  return {
    platform,
    logs,
    stop: async () => {
      await platform.stop();
      removeData();
    },
  };
}

/**
 * Prints (to stderr) the lines logged since the last call at error level or above (`warnings`:
 * warn too), then forgets them: an afterEach shows what went wrong inside the services.
 */
export function reportLogged(logs: string[], options: { warnings?: boolean; max?: number } = {}): void {
  const levels = options.warnings ? /"level":(40|50|60)/ : /"level":(50|60)/;
  const problems = logs.splice(0).filter((line) => levels.test(line));
  if (problems.length === 0) return;
  const what = options.warnings ? 'service warnings' : 'service errors';
  process.stderr.write(`${what}:\n${problems.slice(0, options.max ?? 20).join('\n')}\n`);
}
