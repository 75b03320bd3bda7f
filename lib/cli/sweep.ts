/** `rotation-reactor sweep`: the metadata-only reconciliation, now, from the operator's machine. */
import type { Command } from 'commander';
import { sweep } from '../core/sweep';
import { type AwsFlags, addAwsOptions, createPipelineRun, toCliError } from './aws';
import type { CliIo } from './io';
import { toPlanText } from './plan';
import { EXIT_ACTIONS_FAILED, toReplayDocument, toReplayText } from './replay';

/** Registers `sweep` on the program. */
export function registerSweep(program: Command, io: CliIo): void {
  addAwsOptions(
    program
      .command('sweep')
      .description(
        'Reconcile now: read Parameter Store / Secrets Manager metadata (never values) for every reference of the live jobs, and react to changes whose events were missed.',
      )
      .option('--dry-run', 'print the plan; change nothing')
      .option('--json', 'print one JSON document'),
  ).action(async (flags: AwsFlags & { dryRun?: boolean; json?: boolean }) => {
    const { reactor, progress, close } = await createPipelineRun(flags, io);
    try {
      const result = await sweep(reactor.deps, reactor.options).catch((error) =>
        Promise.reject(toCliError(error, flags, 'sweep failed')),
      );
      progress.stop();
      const { report } = result;
      if (flags.json) {
        io.out(
          JSON.stringify(
            {
              resources: result.resources,
              notSwept: result.notSwept,
              ...toReplayDocument(report),
              plan: flags.dryRun ? report.plan : undefined,
            },
            null,
            2,
          ),
        );
      } else {
        io.out(`Swept ${result.resources} referenced resources (${result.notSwept.length} not swept).`);
        for (const skipped of result.notSwept) io.out(`  not swept: ${skipped.resource}: ${skipped.why}`);
        io.out(flags.dryRun ? toPlanText(report.changes, report.rejected, report.plan) : toReplayText(report));
      }
      if (report.outcomes.some((o) => o.status === 'failed')) io.exit(EXIT_ACTIONS_FAILED);
    } finally {
      close();
    }
  });
}
