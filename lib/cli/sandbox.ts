/** `rotation-reactor sandbox`: the local Batch / EventBridge / DynamoDB emulation, served until interrupted. */
import type { Command } from 'commander';
import { InvalidInputError } from '../core/errors';
import { serveSandbox } from '../sandbox';
import { CliError } from './cli-error';
import type { CliIo } from './io';
import { parseNonNegativeInteger } from './options';

/** Registers `sandbox` on the program. */
export function registerSandbox(program: Command, io: CliIo): void {
  program
    .command('sandbox')
    .description(
      'Serve a local AWS Batch + EventBridge + DynamoDB emulation over a fleet snapshot, on 127.0.0.1, until Ctrl-C.',
    )
    .requiredOption('--fleet <file>', 'fleet snapshot JSON to serve (e.g. events/fleets/sample.json)')
    .option('--port <n>', 'port (default: a free one)', parseNonNegativeInteger, 0)
    .addHelpText(
      'after',
      `
Point any AWS client at it, e.g.:
  aws batch list-jobs --job-queue etl-prod --endpoint-url http://127.0.0.1:PORT --region us-east-2
  rotation-reactor replay events/ssm --endpoint-url http://127.0.0.1:PORT --region us-east-2 --account 123456789012`,
    )
    .action(async (opts: { fleet: string; port: number }) => {
      try {
        const { closed } = await serveSandbox({
          fleetFile: opts.fleet,
          port: opts.port,
          write: (line) => io.out(line),
        });
        io.out('Serving until Ctrl-C.');
        await closed;
      } catch (error) {
        if (error instanceof InvalidInputError) throw new CliError(error.message);
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new CliError(`port ${opts.port} is already in use: pick another --port`);
        throw error;
      }
    });
}
