/**
 * Job-centric discovery over the Batch API (DESIGN.md "Discovery"): live jobs per queue, then only the definition
 * revisions not yet cached, then job details only for the jobs that will be acted on.
 */
import {
  type BatchClient,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  type JobSummary,
  paginateDescribeJobQueues,
  paginateListJobs,
} from '@aws-sdk/client-batch';
import type { BatchJob, BatchJobDefinition, BatchJobQueue } from '../core/fleet';
import { parseLineageTag, REPLACES_TAG } from '../core/keys';
import type { JobSource } from '../core/ports';

/** Live statuses: containers that already read their secrets. */
const LIVE_STATUSES = ['RUNNING', 'STARTING'] as const;

/** Definition revisions are immutable: one cache per container, shared across warm invocations. */
export type DefinitionCache = Map<string, BatchJobDefinition | null>;

/** Options of the Batch reader. */
export interface BatchReaderOptions {
  /** Queue names or ARNs to scan; empty = every queue of the account and region. */
  readonly queues?: readonly string[];
  readonly definitionCache?: DefinitionCache;
}

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

/** SDK shapes and the core's structural types describe the same JSON; the SDK marks every field optional. */
const fromWire = <T>(value: unknown): T => value as T;

function toJob(summary: JobSummary, jobQueue: string): BatchJob {
  return fromWire<BatchJob>({ ...summary, jobQueue, jobDefinition: summary.jobDefinition ?? '' });
}

/** Creates the fleet reader; the client should carry the rate limiter and adaptive retries. */
export function createBatchReader(client: BatchClient, options: BatchReaderOptions = {}): JobSource {
  const cache: DefinitionCache = options.definitionCache ?? new Map();

  async function listSummaries(input: { jobQueue?: string; arrayJobId?: string }, jobStatus: string) {
    const found: JobSummary[] = [];
    for await (const page of paginateListJobs(
      { client, pageSize: 1000 },
      { ...input, jobStatus: jobStatus as never },
    )) {
      found.push(...(page.jobSummaryList ?? []));
    }
    return found;
  }

  async function describeJobs(jobIds: readonly string[]): Promise<BatchJob[]> {
    const details: BatchJob[] = [];
    for (const ids of chunk([...new Set(jobIds)], 100)) {
      const { jobs = [] } = await client.send(new DescribeJobsCommand({ jobs: ids }));
      details.push(...fromWire<BatchJob[]>(jobs));
    }
    return details;
  }

  return {
    async listQueues() {
      const queues: BatchJobQueue[] = [];
      if (options.queues && options.queues.length > 0) {
        for (const names of chunk(options.queues, 100)) {
          const { jobQueues = [] } = await client.send(new DescribeJobQueuesCommand({ jobQueues: names }));
          queues.push(...fromWire<BatchJobQueue[]>(jobQueues));
        }
      } else {
        for await (const page of paginateDescribeJobQueues({ client, pageSize: 100 }, {})) {
          queues.push(...fromWire<BatchJobQueue[]>(page.jobQueues ?? []));
        }
      }
      // SageMaker training queues hold service jobs (another API) that never read secrets through Batch.
      return queues.filter((q) => q.jobQueueType !== 'SAGEMAKER_TRAINING');
    },

    async listLiveJobs(queues, selectArrays = async (parents) => parents) {
      const jobs: BatchJob[] = [];
      const parents: BatchJob[] = [];
      for (const queue of queues) {
        for (const status of LIVE_STATUSES) {
          jobs.push(
            ...(await listSummaries({ jobQueue: queue.jobQueueArn }, status)).map((s) => toJob(s, queue.jobQueueArn)),
          );
        }
        // Array parents sit in PENDING while their children run; children are only listed through the parent.
        const pending = await listSummaries({ jobQueue: queue.jobQueueArn }, 'PENDING');
        parents.push(...pending.filter((s) => s.arrayProperties?.size).map((s) => toJob(s, queue.jobQueueArn)));
      }
      // Two calls per array: only for the arrays the caller selects (those whose definition a change reaches).
      for (const parent of await selectArrays(parents)) {
        for (const status of LIVE_STATUSES) {
          const children = await listSummaries({ arrayJobId: parent.jobId }, status);
          jobs.push(
            ...children.map((s) =>
              toJob({ ...s, jobDefinition: s.jobDefinition ?? parent.jobDefinition }, parent.jobQueue),
            ),
          );
        }
      }
      return jobs;
    },

    async getDefinitions(arns) {
      const missing = [...new Set(arns)].filter((arn) => arn && !cache.has(arn));
      for (const batch of chunk(missing, 100)) {
        const { jobDefinitions = [] } = await client.send(new DescribeJobDefinitionsCommand({ jobDefinitions: batch }));
        for (const definition of fromWire<BatchJobDefinition[]>(jobDefinitions))
          cache.set(definition.jobDefinitionArn, definition);
        // Revisions deleted for good (180 days after deregistration) are remembered as absent, not asked again.
        for (const arn of batch) if (!cache.has(arn)) cache.set(arn, null);
      }
      return arns.map((arn) => cache.get(arn)).filter((d): d is BatchJobDefinition => !!d);
    },

    describeJobs,

    async findDependents(jobIds, queues) {
      const wanted = new Set(jobIds);
      const pending: string[] = [];
      for (const queue of queues) {
        pending.push(...(await listSummaries({ jobQueue: queue.jobQueueArn }, 'PENDING')).map((s) => s.jobId!));
      }
      const dependents = new Map<string, string[]>();
      for (const job of await describeJobs(pending)) {
        for (const dependency of (job.dependsOn as { jobId?: string }[] | undefined) ?? []) {
          if (!dependency.jobId || !wanted.has(dependency.jobId)) continue;
          dependents.set(dependency.jobId, [...(dependents.get(dependency.jobId) ?? []), job.jobId]);
        }
      }
      return dependents;
    },

    async findReplacement(job) {
      const candidates: string[] = [];
      for await (const page of paginateListJobs(
        { client, pageSize: 100 },
        { jobQueue: job.jobQueue, filters: [{ name: 'JOB_NAME', values: [job.jobName] }] },
      )) {
        const summaries = page.jobSummaryList ?? [];
        candidates.push(
          ...summaries
            .filter((s) => s.jobId !== job.jobId && (s.createdAt ?? 0) >= (job.createdAt ?? 0))
            .map((s) => s.jobId!),
        );
        // Results are newest first: once older than the stale job, no replacement can follow.
        if (summaries.some((s) => (s.createdAt ?? 0) < (job.createdAt ?? 0))) break;
      }
      const details = await describeJobs(candidates);
      return details.find((d) => parseLineageTag(d.tags?.[REPLACES_TAG])?.replaces === job.jobId)?.jobId;
    },
  };
}
