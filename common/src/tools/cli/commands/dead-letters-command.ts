import type { Command } from 'commander';
import type { EventsClient } from '../../events-client';
import { integer, withClient } from '../client-options';
import { UsageError } from '../failures';
import { deadLetterLine, type Output } from '../output';

interface SelectFlags {
  all?: boolean;
  service?: string;
}

export function addDeadLettersCommand(program: Command, output: Output): void {
  const deadLetters = program
    .command('dead-letters')
    .description('list dead-lettered messages with their reasons, retry or discard them');

  deadLetters
    .command('list', { isDefault: true })
    .description('list dead letters, oldest first (the default)')
    .option('--service <name>', 'only those of one service')
    .option('--json', 'one JSON object per dead letter, with the original payload')
    .action(async (flags: { service?: string; json?: boolean }, command: Command) => {
      await withClient(command, async (client) => {
        const letters = await client.deadLetters({ service: flags.service });
        if (flags.json) letters.forEach((l) => output.json(l));
        else output.line(letters.length === 0 ? 'no dead letters' : letters.map(deadLetterLine).join('\n'));
      });
    });

  deadLetters
    .command('retry')
    .argument('[seq...]', 'dead-letter sequences (the #n in the list)')
    .description('publish the original payloads again on their original subjects, then remove the dead letters')
    .option('--all', 'every dead letter (of --service, if given)')
    .option('--service <name>', 'with --all: only those of one service')
    .action(async (seqs: string[], flags: SelectFlags, command: Command) => {
      await withClient(command, async (client) => {
        for (const seq of await selected(client, seqs, flags)) {
          const { letter, stream, seq: newSeq } = await client.retryDeadLetter(seq);
          output.line(`retried #${seq}: ${letter.subject} published again to ${stream} at sequence ${newSeq}`);
        }
      });
    });

  deadLetters
    .command('discard')
    .argument('[seq...]', 'dead-letter sequences (the #n in the list)')
    .description('remove dead letters for good')
    .option('--all', 'every dead letter (of --service, if given)')
    .option('--service <name>', 'with --all: only those of one service')
    .action(async (seqs: string[], flags: SelectFlags, command: Command) => {
      await withClient(command, async (client) => {
        for (const seq of await selected(client, seqs, flags)) {
          await client.discardDeadLetter(seq);
          output.line(`discarded #${seq}`);
        }
      });
    });
}

async function selected(client: EventsClient, seqs: string[], flags: SelectFlags): Promise<number[]> {
  if (flags.all && seqs.length > 0) throw new UsageError('give sequences or --all, not both');
  if (flags.all) return (await client.deadLetters({ service: flags.service })).map((l) => l.seq);
  if (seqs.length === 0) throw new UsageError('which dead letters? give their sequences, or --all');
  return seqs.map((seq) => {
    try {
      return integer(seq);
    } catch {
      throw new UsageError(`"${seq}" is not a dead-letter sequence`);
    }
  });
}
