import type { Command } from 'commander';
import { parseTimeSpec, type EventsClient, type TailOptions } from '../../events-client';
import { integer, positiveInteger, withClient } from '../client-options';
import { UsageError } from '../failures';
import { tailedJson, tailedLine, type Output } from '../output';

interface TailFlags {
  json?: boolean;
  fromSeq?: number;
  since?: string;
  count?: number;
  follow: boolean;
}

export function addTailCommand(program: Command, output: Output): void {
  program
    .command('tail')
    .argument(
      '[pattern]',
      'subject pattern: post.created, comment.*, *.deleted, deadletter.>, or > for every event',
      '>',
    )
    .description('print events as they are stored (new ones only, unless --from-seq or --since)')
    .option('--json', 'one JSON object per line: {stream, seq, subject, time, event}')
    .option('--from-seq <n>', 'start at this stream sequence (in each stream the pattern spans)', integer)
    .option('--since <time>', 'start at a time: a duration back (30s, 15m, 2h, 1d) or an ISO date/time')
    .option('-n, --count <n>', 'exit after printing n events', positiveInteger)
    .option('--no-follow', 'exit once the events stored so far are printed')
    .action(async (pattern: string, flags: TailFlags, command: Command) => {
      if (flags.fromSeq !== undefined && flags.since !== undefined)
        throw new UsageError('give --from-seq or --since, not both');
      const options: TailOptions = {
        fromSeq: flags.fromSeq,
        since: flags.since === undefined ? undefined : parseTimeSpec(flags.since),
        stopAtEnd: !flags.follow,
      };
      if (!flags.follow && flags.fromSeq === undefined && flags.since === undefined) options.fromSeq = 1;
      await withClient(command, (client) => follow(client, pattern, options, flags, output));
    });
}

async function follow(
  client: EventsClient,
  pattern: string,
  options: TailOptions,
  flags: TailFlags,
  output: Output,
): Promise<void> {
  const tail = await client.tail(pattern, options);
  const stop = () => tail.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  void reportConnectionChanges(client);
  let printed = 0;
  try {
    for await (const tailed of tail) {
      if (flags.json) output.json(tailedJson(tailed));
      else output.line(tailedLine(tailed));
      if (flags.count !== undefined && ++printed >= flags.count) break;
    }
  } finally {
    tail.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** A tail that silently stops printing looks like a quiet platform: say when NATS goes away. */
async function reportConnectionChanges(client: EventsClient): Promise<void> {
  for await (const status of client.connection.connection.status()) {
    if (status.type === 'disconnect')
      process.stderr.write(`postline-events: lost NATS at ${client.server}, reconnecting...\n`);
    if (status.type === 'reconnect') process.stderr.write('postline-events: reconnected\n');
  }
}
