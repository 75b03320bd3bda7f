/**
 * `rotation-reactor replay`: events from files, or a window of the change archive, through the same pipeline,
 * in-process with the caller's credentials (or against any endpoint, such as the sandbox).
 */
import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  type DescribeReplayCommandOutput,
  DescribeRuleCommand,
  type EventBridgeClient,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { type RunReport, reactToChanges } from '../core/react';
import { type AwsFlags, addAwsOptions, createCliReactor, createPipelineRun, toCliError } from './aws';
import { CliError } from './cli-error';
import { listEventFiles } from './files';
import { toShortName, toTable } from './format';
import type { CliIo } from './io';
import { loadChanges } from './load-changes';
import { EXIT_REJECTED, toPlanDocument, toPlanText } from './plan';
import { createProgress } from './progress';
import { parseTime } from './time';

/** Exit code when some actions failed (they are recorded; a later run retries them). */
export const EXIT_ACTIONS_FAILED = 1;

/** Archives lag: AWS recommends waiting 10 minutes before replaying recent events. */
export const ARCHIVE_LAG_MS = 10 * 60_000;

type ReplayFlags = AwsFlags & {
  dryRun?: boolean;
  json?: boolean;
  archive?: string;
  from?: string;
  to?: string;
  bus?: string;
  rule?: string;
  wait?: boolean;
};

/** The `--json` document of an applied replay. */
export function toReplayDocument(report: RunReport) {
  return {
    changes: report.changes.length,
    rejected: report.rejected,
    reactions: report.outcomes.map((o) => ({
      jobId: o.reaction.jobId,
      jobName: o.reaction.jobName,
      jobQueue: o.reaction.jobQueue,
      action: o.reaction.action,
      reason: o.reaction.reason,
      status: o.status,
      replacementJobId: o.replacementJobId,
      note: o.note,
      error: o.error,
    })),
    skipped: report.plan.skipped,
    invalidReferences: report.plan.invalidReferences,
    jobsScanned: report.jobsScanned,
    failedSources: report.failedSources,
  };
}

/** The readable summary of an applied replay. */
export function toReplayText(report: RunReport): string {
  const count = (status: string) => report.outcomes.filter((o) => o.status === status).length;
  return [
    `Actions (${report.outcomes.length})`,
    toTable(
      ['job', 'name', 'queue', 'action', 'reason', 'status', 'replacement / note'],
      report.outcomes.map((o) => [
        o.reaction.jobId,
        o.reaction.jobName,
        toShortName(o.reaction.jobQueue),
        o.reaction.action,
        o.reaction.reason,
        o.status,
        o.error ?? o.replacementJobId ?? o.note,
      ]),
    ),
    `Skipped (${report.plan.skipped.length})`,
    toTable(
      ['job', 'name', 'reason'],
      report.plan.skipped.map((s) => [s.jobId, s.jobName, s.reason]),
    ),
    ...(report.rejected.length > 0
      ? [
          'Rejected events',
          toTable(
            ['source', 'reason'],
            report.rejected.map((r) => [r.source, r.reason]),
          ),
        ]
      : []),
    `Summary: ${countEvents(report)} events (${report.rejected.length} rejected), ${report.jobsScanned} live jobs scanned, ` +
      `${count('applied')} applied, ${count('duplicate')} already done, ${count('failed')} failed.`,
  ].join('\n');
}

async function replayFiles(paths: readonly string[], flags: ReplayFlags, io: CliIo): Promise<void> {
  if (listEventFiles(paths).length === 0) throw new CliError(`no event files found in ${paths.join(', ')}`);
  const { reactor, progress, close } = await createPipelineRun(flags, io);
  try {
    const { changes, rejected } = await loadChanges(paths, (done, total) => progress.update('read', done, total));
    const report = await reactToChanges(changes, rejected, reactor.deps, reactor.options).catch((error) =>
      Promise.reject(toCliError(error, flags, 'replay failed')),
    );
    progress.stop();
    if (flags.dryRun)
      io.out(
        flags.json
          ? JSON.stringify(toPlanDocument(changes, rejected, report.plan), null, 2)
          : toPlanText(changes, rejected, report.plan),
      );
    else io.out(flags.json ? JSON.stringify(toReplayDocument(report), null, 2) : toReplayText(report));
    if (report.outcomes.some((o) => o.status === 'failed')) io.exit(EXIT_ACTIONS_FAILED);
    if (rejected.length > 0) io.exit(EXIT_REJECTED);
  } finally {
    close();
  }
}

async function replayArchive(flags: ReplayFlags, io: CliIo, now: () => number): Promise<void> {
  if (!flags.from || !flags.to) throw new CliError('--archive needs --from TIME and --to TIME');
  if (flags.dryRun)
    throw new CliError(
      '--dry-run applies to event files; an archive replay goes through the deployed reactor (set its dry-run parameter instead)',
    );
  const from = parseTime(flags.from, '--from', now());
  const to = parseTime(flags.to, '--to', now());
  if (to <= from) throw new CliError('--to must be after --from');
  if (to > now() - ARCHIVE_LAG_MS) {
    throw new CliError(
      `--to ${new Date(to).toISOString()} is within the last 10 minutes: events reach the archive with a delay, so a replay now could miss some (AWS recommends waiting 10 minutes); pick an earlier --to`,
    );
  }
  const reactor = await createCliReactor(flags);
  const events: EventBridgeClient = reactor.clients.events;
  try {
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: flags.archive }));
    const busArn = flags.bus
      ? flags.bus.startsWith('arn:')
        ? flags.bus
        : `arn:${reactor.config.partition}:events:${reactor.config.region}:${reactor.config.account}:event-bus/${flags.bus}`
      : archive.EventSourceArn;
    const ruleArn = flags.rule?.startsWith('arn:')
      ? flags.rule
      : flags.rule
        ? (await events.send(new DescribeRuleCommand({ Name: flags.rule, EventBusName: busArn }))).Arn
        : undefined;
    const replayName = `rotation-reactor-${new Date(now())
      .toISOString()
      .replace(/[^0-9]/g, '')
      .slice(0, 14)}`;
    await events.send(
      new StartReplayCommand({
        ReplayName: replayName,
        Description: `rotation-reactor replay of ${flags.archive}`,
        EventSourceArn: archive.ArchiveArn,
        EventStartTime: new Date(from),
        EventEndTime: new Date(to),
        Destination: { Arn: busArn, ...(ruleArn ? { FilterArns: [ruleArn] } : {}) },
      }),
    );
    const progress = createProgress(io, flags.json);
    let state = 'STARTING';
    let described: DescribeReplayCommandOutput | undefined;
    const total = Math.max(1, Math.round((to - from) / 1000));
    while (flags.wait !== false && !['COMPLETED', 'CANCELLED', 'FAILED'].includes(state)) {
      described = await events.send(new DescribeReplayCommand({ ReplayName: replayName }));
      state = described.State ?? 'FAILED';
      const last = described.EventLastReplayedTime?.getTime();
      progress.update('replay', last ? Math.min(total, Math.round((last - from) / 1000)) : 0, total);
      if (!['COMPLETED', 'CANCELLED', 'FAILED'].includes(state)) await new Promise((r) => setTimeout(r, 2000));
    }
    progress.stop();
    const result = {
      replayName,
      archive: flags.archive,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      state,
      reason: described?.StateReason,
    };
    io.out(
      flags.json
        ? JSON.stringify(result, null, 2)
        : `Replay ${replayName} of ${flags.archive} (${result.from} → ${result.to}): ${state}${result.reason ? ` (${result.reason})` : ''}`,
    );
    if (state === 'FAILED' || state === 'CANCELLED') io.exit(1);
  } catch (error) {
    throw toCliError(error, flags, 'archive replay failed');
  } finally {
    reactor.destroy();
  }
}

/** Registers `replay` on the program. */
export function registerReplay(program: Command, io: CliIo, now: () => number = Date.now): void {
  addAwsOptions(
    program
      .command('replay')
      .description(
        'Run change events through the reactor now: from event files or folders, or from the change archive.',
      )
      .argument('[paths...]', 'event JSON files or folders (a file may hold one event or an array)')
      .option('--dry-run', 'print the plan; change nothing (no tags, jobs, ledger entries or output events)')
      .option('--json', 'print one JSON document')
      .option('--archive <name>', 'replay a window of this EventBridge archive instead of files')
      .option('--from <time>', 'archive window start: ISO-8601, or relative like 2h / 3d')
      .option('--to <time>', 'archive window end (must be at least 10 minutes ago)')
      .option('--bus <name>', 'bus to replay to (default: the archive source bus)')
      .option(
        '--rule <name or ARN>',
        "rule that routes replayed events to the reactor's queue: the stack output ReplayRuleArn",
      )
      .option('--no-wait', 'start the archive replay and return without following it'),
  )
    .addHelpText(
      'after',
      `
Exit codes: 0 done; 3 some events were rejected (the rest were processed); 1 some actions failed (recorded,
retried by a later run); 2 the command line, a file, credentials, region or endpoint is unusable.
Examples:
  rotation-reactor replay events/ssm/parameter-store-change.update.json --dry-run
  rotation-reactor replay missed-events/ --region eu-west-1 --profile ops
  rotation-reactor replay --archive rotation-reactor-prod-changes --from 2026-11-27T00:00:00Z --to 2h --rule <ReplayRuleArn>`,
    )
    .action(async (paths: string[], flags: ReplayFlags) => {
      if (flags.archive) {
        if (paths.length > 0) throw new CliError('give either event files or --archive, not both');
        await replayArchive(flags, io, now);
        return;
      }
      if (paths.length === 0)
        throw new CliError('give event files or folders to replay, or --archive NAME --from TIME --to TIME');
      await replayFiles(paths, flags, io);
    });
}

/** Events read: one event may report several changes (one per staging label it moved), all with its source. */
function countEvents(report: RunReport): number {
  return new Set([...report.changes.map((c) => c.source), ...report.rejected.map((r) => r.source)]).size;
}
