/** `rotation-reactor sweep`: the metadata-only reconciliation, now, from the operator's machine. */
import type { Command } from 'commander';
import { NOT_SWEPT_ELSEWHERE } from '../adapters/metadata';
import { type SweepReport, sweep } from '../core/sweep';
import { type AwsFlags, addAwsOptions, createPipelineRun, toCliError } from './aws';
import { CliError } from './cli-error';
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
      .option('--json', 'print one JSON document')
      .addHelpText(
        'after',
        `
Exit codes: 0 done; 1 some actions failed, or no referenced resource could be described (one line on stderr says
why: wrong endpoint, missing permissions…); 2 the command line, credentials, region or endpoint is unusable.`,
      ),
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
      const blind = toBlindSweepError(result);
      if (blind) throw blind;
    } finally {
      close();
    }
  });
}

/**
 * A sweep that could describe none of the resources it had to (every one failed, none merely in another region)
 * swept nothing: it ends as one line and exit 1, never as a quiet success.
 */
export function toBlindSweepError({ resources, notSwept }: SweepReport): CliError | undefined {
  const failures = notSwept.filter((n) => n.why !== NOT_SWEPT_ELSEWHERE);
  if (failures.length === 0 || resources - notSwept.length > 0) return undefined;
  const reasons = new Map<string, number>();
  for (const { why } of failures) reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const [why, count] = [...reasons].sort((a, b) => b[1] - a[1])[0];
  return new CliError(
    `sweep described none of the ${failures.length} referenced resources it reads metadata of; nothing was swept (${count}× ${why})`,
    EXIT_ACTIONS_FAILED,
  );
}
