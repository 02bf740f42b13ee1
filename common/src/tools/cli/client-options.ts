import { InvalidArgumentError, type Command } from 'commander';
import { EventsClient } from '../events-client';

/** Connects with the global `--server`/`--namespace`, runs the command, always closes. */
export async function withClient(command: Command, run: (client: EventsClient) => Promise<void>): Promise<void> {
  const { server, namespace } = command.optsWithGlobals<{
    server?: string;
    namespace?: string;
  }>();
  const client = await EventsClient.connect({ server, namespace });
  try {
    await run(client);
  } finally {
    await client.close();
  }
}

/** Commander option parser for a non-negative integer. */
export function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

export function positiveInteger(value: string): number {
  const number = integer(value);
  if (number < 1) throw new InvalidArgumentError('expected a number from 1');
  return number;
}
