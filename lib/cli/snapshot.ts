/** `rotation-reactor snapshot`: exports an account's queues, unfinished jobs and their definition revisions for offline `plan`. */
import { type BatchClient, type JobSummary, paginateListJobs } from '@aws-sdk/client-batch';
import type { Command } from 'commander';
import type { BatchJob, BatchJobQueue, FleetSnapshot } from '../core/fleet';
import type { JobSource } from '../core/ports';
import { type Home, toPartition } from '../core/reference';
import { parseFleetSnapshot } from '../core/snapshot';
import { type AwsFlags, addAwsOptions, createCliReactor, toCliError } from './aws';
import { CliError } from './cli-error';
import { checkWritable, writeFileAtomically } from './files';
import type { CliIo } from './io';
import { createProgress } from './progress';

/** Statuses of jobs that have not finished, in lifecycle order. */
export const OPEN_STATUSES = ['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'] as const;

/** Progress of an export: one call per queue listed, then one per later step. */
export type SnapshotProgress = (
  step: 'queue' | 'describe' | 'definitions',
  detail: string,
  done: number,
  total: number,
) => void;

async function listSummaries(
  client: BatchClient,
  input: { jobQueue: string } | { arrayJobId: string },
): Promise<JobSummary[]> {
  const found: JobSummary[] = [];
  // Lifecycle order: a job that moves on between two calls is listed again under its later status, never missed.
  for (const jobStatus of OPEN_STATUSES) {
    for await (const page of paginateListJobs({ client, pageSize: 1000 }, { ...input, jobStatus })) {
      found.push(...(page.jobSummaryList ?? []));
    }
  }
  return found;
}

/** Ids of a queue's unfinished jobs, array children of its PENDING array parents included. */
async function listOpenJobIds(client: BatchClient, queue: BatchJobQueue): Promise<string[]> {
  const summaries = await listSummaries(client, { jobQueue: queue.jobQueueArn });
  // Children are listed only through their parent, which stays PENDING while they run.
  const parents = summaries.filter((s) => s.status === 'PENDING' && s.arrayProperties?.size);
  for (const parent of parents) summaries.push(...(await listSummaries(client, { arrayJobId: parent.jobId! })));
  return [...new Set(summaries.map((s) => s.jobId!))];
}

/**
 * Reads a fleet snapshot from the account: the queues in scope, every unfinished job with its details and tags, and
 * the definition revisions those jobs use (ACTIVE or INACTIVE). `client` should carry the reactor's rate limiter.
 */
export async function loadAccountFleet(
  client: BatchClient,
  source: JobSource,
  home: Home,
  options: { queues?: readonly string[]; onProgress?: SnapshotProgress } = {},
): Promise<FleetSnapshot> {
  const progress = options.onProgress ?? (() => {});
  const jobQueues = await source.listQueues();
  const missing = (options.queues ?? []).filter(
    (name) => !jobQueues.some((q) => q.jobQueueName === name || q.jobQueueArn === name),
  );
  if (missing.length > 0) {
    throw new CliError(`--queue: no Batch job queue ${missing.join(', ')} in ${home.region} (account ${home.account})`);
  }
  const ids: string[] = [];
  for (const [i, queue] of jobQueues.entries()) {
    const found = await listOpenJobIds(client, queue);
    ids.push(...found);
    progress('queue', `${queue.jobQueueName}: ${found.length} unfinished job(s)`, i + 1, jobQueues.length);
  }
  progress('describe', `describing ${ids.length} job(s)`, 0, 1);
  const open = new Set<string>(OPEN_STATUSES);
  // A job that finished since it was listed is left out, as if listed a moment later.
  const jobs = (await source.describeJobs(ids)).filter((job) => open.has(job.status));
  progress('describe', `described ${jobs.length} job(s)`, 1, 1);
  const arns = [...new Set(jobs.map((job) => job.jobDefinition))];
  progress('definitions', `reading ${arns.length} job definition revision(s)`, 0, 1);
  const jobDefinitions = await source.getDefinitions(arns);
  progress('definitions', `read ${jobDefinitions.length} job definition revision(s)`, 1, 1);
  return {
    region: home.region,
    account: home.account,
    ...(home.partition === toPartition(home.region) ? {} : { partition: home.partition }),
    jobQueues,
    jobDefinitions,
    jobs,
  };
}

/** Counts of an exported snapshot, for the summary line and `--json`. */
export function toSnapshotSummary(out: string, fleet: FleetSnapshot) {
  const byStatus: Record<string, number> = {};
  for (const status of OPEN_STATUSES) {
    const n = fleet.jobs.filter((job) => job.status === status).length;
    if (n > 0) byStatus[status] = n;
  }
  return {
    out,
    region: fleet.region,
    account: fleet.account,
    queues: fleet.jobQueues.length,
    definitions: fleet.jobDefinitions.length,
    jobs: fleet.jobs.length,
    byStatus,
    missingDefinitions: countMissingDefinitions(fleet.jobs, fleet),
  };
}

function countMissingDefinitions(jobs: readonly BatchJob[], fleet: FleetSnapshot): number {
  const known = new Set(fleet.jobDefinitions.map((d) => d.jobDefinitionArn));
  return new Set(jobs.map((job) => job.jobDefinition).filter((arn) => !known.has(arn))).size;
}

function toProgress(io: CliIo, quiet: boolean): { report: SnapshotProgress; stop(): void } {
  if (io.interactive) {
    const bar = createProgress(io);
    return {
      report: (step, _detail, done, total) => bar.update(step === 'queue' ? 'queues' : step, done, total),
      stop: bar.stop,
    };
  }
  // Off a terminal, one line per queue (few, and each may take a while) and per later step.
  return {
    report: (step, detail, done, total) => {
      if (quiet) return;
      if (step === 'queue') io.err(`snapshot: queue ${done}/${total} ${detail}`);
      else if (done === 0) io.err(`snapshot: ${detail}`);
    },
    stop: () => {},
  };
}

/** Registers `snapshot` on the program. */
export function registerSnapshot(program: Command, io: CliIo): void {
  const command = program
    .command('snapshot')
    .description('Export a fleet snapshot (queues, unfinished jobs, their job definition revisions) for offline plan.')
    .requiredOption('--out <file>', 'write the snapshot JSON here (replaced atomically)')
    .option('--json', 'print the summary as one JSON document');
  addAwsOptions(command)
    .addHelpText(
      'after',
      `
Exports every SUBMITTED, PENDING, RUNNABLE, STARTING and RUNNING job of the queues (all, or --queue), array children
included, with tags; reads only metadata (ListJobs, DescribeJobs, DescribeJobQueues, DescribeJobDefinitions),
within --batch-tps. Progress goes to stderr.
Exit codes: 0 written; 1 AWS refused a call; 2 the command line is unusable, no credentials, unknown queue or
unwritable file.
Example:
  rotation-reactor snapshot --out fleet.json --region us-east-2 --queue etl-prod
  rotation-reactor plan --fleet fleet.json --event events/ssm`,
    )
    .action(async (opts: AwsFlags & { out: string; json?: boolean }) => {
      checkWritable(opts.out, 'snapshot');
      const reactor = await createCliReactor(opts);
      const progress = toProgress(io, opts.json === true);
      let fleet: FleetSnapshot;
      try {
        fleet = await loadAccountFleet(reactor.clients.batch, reactor.deps.jobs, reactor.options.home, {
          queues: opts.queue,
          onProgress: progress.report,
        });
      } catch (error) {
        throw toCliError(error, opts, 'cannot export the fleet');
      } finally {
        progress.stop();
        reactor.destroy();
      }
      const text = `${JSON.stringify(fleet, null, 2)}\n`;
      const checked = parseFleetSnapshot(JSON.parse(text));
      if (!checked.ok) throw new CliError(`the exported snapshot is not valid, nothing written: ${checked.reason}`, 1);
      writeFileAtomically(opts.out, text, 'snapshot');
      const summary = toSnapshotSummary(opts.out, fleet);
      if (summary.missingDefinitions > 0) {
        io.err(
          `warning: ${summary.missingDefinitions} job definition revision(s) used by exported jobs no longer exist; plan skips their jobs (definition-unknown)`,
        );
      }
      if (opts.json) {
        io.out(JSON.stringify(summary, null, 2));
        return;
      }
      const statuses = Object.entries(summary.byStatus)
        .map(([status, n]) => `${status} ${n}`)
        .join(', ');
      io.out(
        `Wrote ${opts.out}: ${summary.queues} queue(s), ${summary.definitions} job definition revision(s), ${summary.jobs} job(s)${statuses ? ` (${statuses})` : ''}.`,
      );
    });
}
