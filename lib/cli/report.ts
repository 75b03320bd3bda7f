/** `rotation-reactor report`: what the ledger says — the stale inventory, recent actions and failures. */
import { type Command, Option } from 'commander';
import type { Ledger, LedgerEntry } from '../core/ports';
import { type AwsFlags, addAwsOptions, createCliReactor, toCliError } from './aws';
import { CliError } from './cli-error';
import { checkWritable, writeFileAtomically } from './files';
import { toIsoTime, toShortName, toTable } from './format';
import { toHtmlReport } from './html-report';
import type { CliIo } from './io';
import { parseTime } from './time';

/** Counts shown in the summary line, the `--json` document and the HTML page. */
export interface ReportCounts {
  /** Flags recorded (flag and resubmit-on-failure) since `since`. */
  readonly flagged: number;
  readonly resubmitted: number;
  readonly failed: number;
  /** Claimed and not finished: running now, or an attempt that crashed and will be taken over. */
  readonly inProgress: number;
  /** Every ledger entry updated since `since`. */
  readonly total: number;
  /** Jobs in the current stale inventory (whatever their age). */
  readonly staleJobs: number;
}

/** What a report shows; times are epoch ms. */
export interface ReportData {
  readonly since: number;
  readonly generatedAt: number;
  /** The current stale inventory: flagged jobs not replaced, oldest first. */
  readonly inventory: readonly LedgerEntry[];
  /** Ledger entries updated since `since`, newest first. */
  readonly actions: readonly LedgerEntry[];
  /** The failed entries among `actions`. */
  readonly failures: readonly LedgerEntry[];
  readonly counts: ReportCounts;
}

/** Builds the report from ledger entries: failures and counts are derived, the inventory is taken as given. */
export function toReportData(input: {
  since: number;
  generatedAt: number;
  inventory: readonly LedgerEntry[];
  actions: readonly LedgerEntry[];
}): ReportData {
  const { actions, inventory } = input;
  const done = actions.filter((e) => e.state === 'done');
  return {
    ...input,
    failures: actions.filter((e) => e.state === 'failed'),
    counts: {
      flagged: done.filter((e) => e.action !== 'resubmit').length,
      resubmitted: done.filter((e) => e.action === 'resubmit').length,
      failed: actions.filter((e) => e.state === 'failed').length,
      inProgress: actions.filter((e) => e.state === 'claimed').length,
      total: actions.length,
      staleJobs: new Set(inventory.map((e) => e.jobId)).size,
    },
  };
}

/** Reads the ledger for a report; `queues` (names or ARNs) narrows it to those job queues. */
export async function loadReportData(
  ledger: Pick<Ledger, 'listSince' | 'staleInventory'>,
  options: { since: number; now: number; queues?: readonly string[] },
): Promise<ReportData> {
  const [actions, inventory] = await Promise.all([ledger.listSince(options.since), ledger.staleInventory()]);
  const inScope = (e: LedgerEntry) => isInQueues(e.jobQueue, options.queues);
  return toReportData({
    since: options.since,
    generatedAt: options.now,
    inventory: inventory.filter(inScope),
    actions: actions.filter(inScope),
  });
}

function isInQueues(jobQueue: string | undefined, queues: readonly string[] | undefined): boolean {
  if (!queues || queues.length === 0) return true;
  if (jobQueue === undefined) return false;
  return queues.some((q) => jobQueue === q || jobQueue.endsWith(`:job-queue/${q}`));
}

/** The `--json` document of `report`: the data with ISO times. */
export function toReportDocument(data: ReportData) {
  const entry = (e: LedgerEntry) => ({
    ...e,
    staleSince: toIsoTime(e.staleSince),
    claimedAt: toIsoTime(e.claimedAt),
    updatedAt: toIsoTime(e.updatedAt),
  });
  return {
    since: toIsoTime(data.since),
    generatedAt: toIsoTime(data.generatedAt),
    inventory: data.inventory.map(entry),
    actions: data.actions.map(entry),
    failures: data.failures.map(entry),
    counts: data.counts,
  };
}

/** The one-line summary of a report. */
export function toReportSummary(data: ReportData): string {
  const { counts } = data;
  return (
    `Since ${toIsoTime(data.since)}: ${counts.flagged} flagged, ${counts.resubmitted} resubmitted, ` +
    `${counts.failed} failed, ${counts.inProgress} in progress; ${counts.staleJobs} job(s) in the stale inventory.`
  );
}

/** The readable report: inventory, recent actions, failures, summary. */
export function toReportText(data: ReportData): string {
  const queue = (e: LedgerEntry) => (e.jobQueue ? toShortName(e.jobQueue) : '');
  return [
    `Stale inventory (${data.inventory.length}): flagged jobs not yet replaced`,
    toTable(
      ['job', 'name', 'queue', 'stale since', 'references', 'action'],
      data.inventory.map((e) => [
        e.jobId,
        e.jobName,
        queue(e),
        toIsoTime(e.staleSince),
        e.references.join('\n'),
        e.action,
      ]),
    ),
    `Recent actions since ${toIsoTime(data.since)} (${data.actions.length})`,
    toTable(
      ['time', 'job', 'name', 'action', 'state', 'replacement', 'note'],
      data.actions.map((e) => [
        toIsoTime(e.updatedAt),
        e.jobId,
        e.jobName,
        e.action,
        e.state,
        e.replacementJobId,
        e.note,
      ]),
    ),
    `Failures (${data.failures.length})`,
    toTable(
      ['time', 'job', 'name', 'action', 'attempts', 'error'],
      data.failures.map((e) => [toIsoTime(e.updatedAt), e.jobId, e.jobName, e.action, e.attempts, e.error]),
    ),
    toReportSummary(data),
  ].join('\n');
}

/** Registers `report` on the program. */
export function registerReport(program: Command, io: CliIo): void {
  const command = program
    .command('report')
    .description('Read the ledger: the current stale inventory, recent actions and failures.')
    .option('--since <time>', 'actions since this time: ISO-8601 or a duration ago (30m, 24h, 7d)', '7d')
    .addOption(new Option('--json', 'print one JSON document instead of tables').conflicts('html'))
    .addOption(
      new Option('--html <file>', 'write one static, offline HTML page (tables and a chart) to this file').conflicts(
        'json',
      ),
    );
  addAwsOptions(command)
    .addHelpText(
      'after',
      `
Reads only the ledger (DynamoDB): no Batch calls. --queue narrows the report to those job queues.
Exit codes: 0 read; 1 AWS refused a call; 2 the command line is unusable, no credentials, or no ledger table.
Examples:
  rotation-reactor report --since 24h
  rotation-reactor report --since 2026-11-01 --html report.html --region us-east-2`,
    )
    .action(async (opts: AwsFlags & { since: string; json?: boolean; html?: string }) => {
      const now = Date.now();
      const since = parseTime(opts.since, '--since', now);
      if (opts.html) checkWritable(opts.html, 'HTML report');
      const reactor = await createCliReactor(opts);
      let data: ReportData;
      try {
        data = await loadReportData(reactor.deps.ledger, { since, now, queues: opts.queue });
      } catch (error) {
        const table = reactor.config.ledgerTable;
        // DynamoDB says only "Requested resource not found"; here the resource can only be the table or its indexes.
        if ((error as { name?: string }).name === 'ResourceNotFoundException') {
          throw new CliError(
            `cannot read the ledger table ${table}: the ledger table was not found in ${reactor.config.region} (or lacks its indexes): deploy the stack, or pass --ledger-table`,
          );
        }
        throw toCliError(error, opts, `cannot read the ledger table ${table}`);
      } finally {
        reactor.destroy();
      }
      if (opts.html) {
        writeFileAtomically(opts.html, toHtmlReport(data), 'HTML report');
        io.out(opts.html);
      } else if (opts.json) {
        io.out(JSON.stringify(toReportDocument(data), null, 2));
      } else {
        io.out(toReportText(data));
      }
    });
}
