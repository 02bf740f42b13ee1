import { Command, Option } from 'commander';
import { addDeadLettersCommand } from './commands/dead-letters-command';
import { addPublishCommand } from './commands/publish-command';
import { addStatusCommands } from './commands/status-commands';
import { addTailCommand } from './commands/tail-command';
import { stdoutOutput, type Output } from './output';
import { DEFAULT_NATS_URL } from '../events-client';

/** The `postline-events` command line; each command is a thin layer over EventsClient. */
export function buildProgram(output: Output = stdoutOutput): Command {
  const program = new Command('postline-events')
    .description("Publish and watch Postline's events on NATS JetStream, the way the services do")
    // Errors become one line and an exit code in main(), not process.exit() deep inside commander.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addOption(
      new Option('-s, --server <url>', 'NATS server URL(s), comma-separated').env('NATS_URL').default(DEFAULT_NATS_URL),
    )
    .addOption(
      new Option('--namespace <name>', 'event namespace (stream and subject prefix) of the platform').env(
        'EVENTS_NAMESPACE',
      ),
    );
  addPublishCommand(program, output);
  addTailCommand(program, output);
  addStatusCommands(program, output);
  addDeadLettersCommand(program, output);
  return program;
}
