import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseEventInputs } from '../../events-client';
import { integer, withClient } from '../client-options';
import { UsageError } from '../failures';
import { publishedLine, type Output } from '../output';

interface PublishFlags {
  data?: string;
  file?: string;
  aggregateId?: string;
  version?: number;
  producer?: string;
  json?: boolean;
}

export function addPublishCommand(program: Command, output: Output): void {
  program
    .command('publish')
    .argument('[subject]', 'catalogue subject, e.g. comment.moderated (optional when every event names its own)')
    .description('validate events against the catalogue, publish them, and print their stream sequences')
    .option('-d, --data <json>', 'the payload (or an envelope-shaped object with "data")')
    .option('-f, --file <path>', 'a JSON file, or JSON lines with one event each ("-" reads stdin)')
    .option('--aggregate-id <id>', 'default: the id the owning service uses (data.id, data.commentId, ...)')
    .option('--version <n>', "default: one more than the aggregate's latest version in its stream", integer)
    .option('--producer <name>', 'default: postline-events')
    .option('--json', 'print one JSON object per published event')
    .addHelpText(
      'after',
      `
Examples:
  postline-events publish comment.moderated --data '{"commentId":"c1","postId":"p1","commentVersion":0,"status":"approved","reason":""}'
  postline-events publish post.liked --file like.json --version 3
  postline-events publish --file events.jsonl     # each line: {"subject":"...","data":{...}}`,
    )
    .action(async (subject: string | undefined, flags: PublishFlags, command: Command) => {
      const inputs = parseEventInputs(readSource(flags), flags.file ? flags.file : '--data');
      await withClient(command, async (client) => {
        const results = await client.publishAll(inputs, {
          subject,
          aggregateId: flags.aggregateId,
          version: flags.version,
          producer: flags.producer,
        });
        for (const result of results) {
          if (flags.json) {
            const { event, stream, seq, duplicate } = result;
            output.json({
              stream,
              seq,
              duplicate,
              subject: event.subject,
              id: event.id,
              aggregateId: event.aggregateId,
              version: event.version,
            });
          } else {
            output.line(publishedLine(result));
          }
        }
      });
    });
}

function readSource(flags: PublishFlags): string {
  if (flags.data !== undefined && flags.file !== undefined)
    throw new UsageError('give either --data or --file, not both');
  if (flags.data !== undefined) return flags.data;
  if (flags.file === '-') return readFileSync(0, 'utf8');
  if (flags.file !== undefined) {
    try {
      return readFileSync(flags.file, 'utf8');
    } catch (err) {
      throw new UsageError(
        `cannot read ${flags.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  throw new UsageError('nothing to publish: give --data <json> or --file <path>');
}
