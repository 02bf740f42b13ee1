import type { Command } from 'commander';
import { withClient } from '../client-options';
import { consumersTable, streamsTable, type Output } from '../output';

export function addStatusCommands(program: Command, output: Output): void {
  program
    .command('streams')
    .description("Postline's streams in the namespace, with message counts and sequences")
    .option('--json', 'one JSON object per stream')
    .action(async (flags: { json?: boolean }, command: Command) => {
      await withClient(command, async (client) => {
        const streams = await client.streams();
        if (flags.json) streams.forEach((s) => output.json(s));
        else output.line(streamsTable(streams));
      });
    });

  program
    .command('consumers')
    .description("each service's durable consumers: lag (not yet delivered), unacknowledged and redelivered counts")
    .option('--json', 'one JSON object per consumer')
    .action(async (flags: { json?: boolean }, command: Command) => {
      await withClient(command, async (client) => {
        const consumers = await client.consumers();
        if (flags.json) consumers.forEach((c) => output.json(c));
        else output.line(consumersTable(consumers));
      });
    });
}
