import { CommanderError } from 'commander';
import { InvalidEventError } from '../../events/envelope';
import { NatsUnreachableError } from '../events-client';

/** Exit codes scripts can tell apart. */
export const ExitCode = {
  ok: 0,
  /** The operation was refused or failed: invalid event, missing stream or dead letter, NATS error. */
  failed: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** NATS cannot be reached. */
  unreachable: 3,
} as const;

/** One line for stderr and an exit code, for any error: a script's user never sees a stack trace. */
export function describeFailure(err: unknown): {
  message: string;
  exitCode: number;
} {
  if (err instanceof CommanderError)
    return {
      message: '',
      exitCode: err.exitCode === 0 ? ExitCode.ok : ExitCode.usage,
    };
  if (err instanceof NatsUnreachableError) {
    return {
      message: `${err.message}: is the platform running? Use --server or NATS_URL (for a cluster: kubectl port-forward svc/nats 4222:4222)`,
      exitCode: ExitCode.unreachable,
    };
  }
  if (err instanceof UsageError) return { message: err.message, exitCode: ExitCode.usage };
  if (err instanceof InvalidEventError) {
    const field = err.field && !err.message.includes(err.field) ? ` (field ${err.field})` : '';
    return {
      message: `invalid event: ${err.message}${field}`,
      exitCode: ExitCode.failed,
    };
  }
  const message = (err as Error)?.message ?? String(err);
  return {
    message: message.split('\n')[0] ?? message,
    exitCode: ExitCode.failed,
  };
}

/** Options that parse but do not make sense together. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
