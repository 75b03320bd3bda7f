/** `rotation-reactor sweep`: the metadata-only reconciliation, now, from the operator's machine. */
import type { Command } from 'commander';
import type { Emitter } from '../core/ports';
import { sweep } from '../core/sweep';
import { type AwsFlags, addAwsOptions, createCliReactor, toCliError } from './aws';
import type { CliIo } from './io';
import { toPlanText } from './plan';
import { createProgress } from './progress';
import { EXIT_ACTIONS_FAILED, toReplayDocument, toReplayText } from './replay';

const silent: Emitter = { emit: async () => ({ failed: [] }) };

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
    const progress = createProgress(io, flags.json);
    const reactor = await createCliReactor(flags, {
      mode: flags.dryRun ? 'dry-run' : undefined,
      ensureTable: 'on-loopback',
      onProgress: (step, done, total) => progress.update(step, done, total),
    });
    try {
      const deps = flags.dryRun ? { ...reactor.deps, emitter: silent } : reactor.deps;
      const result = await sweep(deps, reactor.options).catch((error) =>
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
      progress.stop();
      reactor.destroy();
    }
  });
}
