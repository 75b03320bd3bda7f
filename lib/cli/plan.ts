/** `rotation-reactor plan`: the decision, offline, on a fleet snapshot and event files. */
import type { Command } from 'commander';
import type { Plan } from '../core/decision';
import type { Rejection, SourcedChange } from '../core/parse-events';
import { plan } from '../core/plan';
import type { Policy } from '../core/policy';
import { toPartition, toResourceKey } from '../core/reference';
import { parseFleetSnapshot } from '../core/snapshot';
import { CliError } from './cli-error';
import { readJsonFile } from './files';
import { toIsoTime, toShortName, toTable } from './format';
import type { CliIo } from './io';
import { loadChanges } from './load-changes';
import { parseNonNegativeInteger, parsePolicyOption } from './options';

/** Exit code when some events were rejected (the rest were still planned). */
export const EXIT_REJECTED = 3;

/** The `--json` document of `plan` (and of `replay --dry-run`). */
export function toPlanDocument(changes: readonly SourcedChange[], rejected: readonly Rejection[], result: Plan) {
  return {
    changes: changes.map(({ source, change }) => ({
      source,
      kind: change.kind,
      service: change.service,
      resource: toResourceKey(change.resource),
      effect: change.effect,
      changedAt: toIsoTime(change.changedAt),
      eventId: change.eventId,
      ...(change.cloudTrailEventId ? { cloudTrailEventId: change.cloudTrailEventId } : {}),
    })),
    rejected,
    reactions: result.reactions,
    skipped: result.skipped,
    invalidReferences: result.invalidReferences,
    warnings: result.warnings,
  };
}

/** The readable report of a plan. */
export function toPlanText(changes: readonly SourcedChange[], rejected: readonly Rejection[], result: Plan): string {
  const effect = (e: SourcedChange['change']['effect']) =>
    e.kind === 'label-moved' ? `label-moved (${e.label})` : e.kind === 'none' ? `none: ${e.why}` : e.kind;
  return [
    `Changes (${changes.length} understood, ${result.changes.length} after coalescing)`,
    toTable(
      ['source', 'kind', 'resource', 'effect', 'time'],
      changes.map(({ source, change }) => [
        source,
        change.kind,
        change.resource.kind === 'ssm' ? change.resource.name : change.resource.secretId,
        effect(change.effect),
        toIsoTime(change.changedAt),
      ]),
    ),
    `Rejected events (${rejected.length})`,
    toTable(
      ['source', 'reason'],
      rejected.map((r) => [r.source, r.reason]),
    ),
    `Reactions (${result.reactions.length})`,
    toTable(
      ['job', 'name', 'queue', 'definition', 'action', 'reason', 'policy from', 'references'],
      result.reactions.map((r) => [
        r.childJobIds ? `${r.jobId} (array: ${r.childJobIds.length} stale children)` : r.jobId,
        r.jobName,
        toShortName(r.jobQueue),
        toShortName(r.jobDefinition),
        r.action,
        r.reason,
        r.policySource,
        r.references.map((ref) => `${ref.valueFrom} @ ${ref.location}`).join('\n'),
      ]),
    ),
    `Skipped (${result.skipped.length})`,
    toTable(
      ['job', 'name', 'reason'],
      result.skipped.map((s) => [s.jobId, s.jobName, s.reason]),
    ),
    ...(result.invalidReferences.length > 0
      ? [
          `Invalid references (${result.invalidReferences.length}): jobs using them will fail to start`,
          toTable(
            ['owner', 'location', 'valueFrom', 'reason'],
            result.invalidReferences.map((i) => [toShortName(i.owner), i.location, i.valueFrom, i.reason]),
          ),
        ]
      : []),
    ...result.warnings.map((w) => `warning: ${w}`),
  ].join('\n');
}

/** Registers `plan` on the program. */
export function registerPlan(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description(
      'Decide, offline, what rotation-reactor would do: a fleet snapshot × change events → reactions and skips.',
    )
    .requiredOption('--fleet <file>', 'fleet snapshot JSON (jobQueues, jobDefinitions, jobs in AWS Batch shapes)')
    .requiredOption(
      '--event <file...>',
      'change event JSON file(s) or folder(s); a file may hold one event or an array',
    )
    .option(
      '--default-policy <policy>',
      'policy for jobs without a rotation-reactor:policy tag',
      parsePolicyOption,
      'flag' as Policy,
    )
    .option(
      '--stale-margin <seconds>',
      'a job started up to this long after a change still counts as stale',
      parseNonNegativeInteger,
      60,
    )
    .option(
      '--max-resubmits <n>',
      'blast-radius cap per change: jobs resubmitted for one change (an array counts its children) beyond it become flags',
      parseNonNegativeInteger,
      25,
    )
    .option('--json', 'print one JSON document instead of tables')
    .addHelpText(
      'after',
      `
Exit codes: 0 every event understood; 3 some events rejected (the rest are planned and the rejected listed);
2 the command line or a file is unusable.
Skip reasons: started-after-change, not-started, finished, pinned, policy-ignore, definition-unknown.
Example: rotation-reactor plan --fleet events/fleets/sample.json --event events/ssm events/secretsmanager`,
    )
    .action(
      async (opts: {
        fleet: string;
        event: string[];
        defaultPolicy: Policy;
        staleMargin: number;
        maxResubmits: number;
        json?: boolean;
      }) => {
        const parsedFleet = parseFleetSnapshot(readJsonFile(opts.fleet, 'fleet snapshot'));
        if (!parsedFleet.ok) throw new CliError(`fleet snapshot ${opts.fleet} is not usable: ${parsedFleet.reason}`);
        const { fleet } = parsedFleet;
        const { changes, rejected } = await loadChanges(opts.event);
        const result = plan(
          changes.map((c) => c.change),
          {
            home: {
              partition: fleet.partition ?? toPartition(fleet.region),
              region: fleet.region,
              account: fleet.account,
            },
            queues: fleet.jobQueues,
            definitions: fleet.jobDefinitions,
            jobs: fleet.jobs,
          },
          {
            defaultPolicy: opts.defaultPolicy,
            staleMarginMs: opts.staleMargin * 1000,
            maxResubmitsPerChange: opts.maxResubmits,
          },
        );
        io.out(
          opts.json
            ? JSON.stringify(toPlanDocument(changes, rejected, result), null, 2)
            : toPlanText(changes, rejected, result),
        );
        if (rejected.length > 0) io.exit(EXIT_REJECTED);
      },
    );
}
