/**
 * The honest naive reactor the benchmark compares against: per event, no coalescing, no cache. It scans every ACTIVE
 * job definition, keeps those whose `valueFrom` strings name the event's resource (name, leading slash and ARN forms,
 * with or without a selector), lists each one's jobs per queue with the JOB_DEFINITION filter, then decides and acts
 * exactly as rotation-reactor does (same plan, policy and staleness, same writer, same ledger).
 * Scanning ACTIVE definitions misses jobs still running on deregistered (INACTIVE) revisions; the benchmark counts them.
 */
import {
  type BatchClient,
  type JobDefinition,
  type JobSummary,
  paginateDescribeJobDefinitions,
  paginateDescribeJobQueues,
  paginateListJobs,
} from '@aws-sdk/client-batch';
import type { Change } from '../lib/core/change';
import { type Discovered, toFleetView } from '../lib/core/discover';
import { findStaleJobs } from '../lib/core/find-stale';
import type { BatchJob, BatchJobDefinition, BatchJobQueue } from '../lib/core/fleet';
import { parseChanges } from '../lib/core/parse-events';
import { decideAndApply, type ReactDeps, type ReactOptions, type RunReport, reactToChanges } from '../lib/core/react';
import type { Resource } from '../lib/core/reference';
import type { StormInput } from './storm';

/** Reacts to one SQS batch, event by event. */
export interface NaiveReactor {
  react(inputs: readonly StormInput[]): Promise<RunReport[]>;
}

const LIVE = new Set(['RUNNING', 'STARTING']);
const VIA_SSM = '/aws/reference/secretsmanager/';

/** The strings a `valueFrom` may hold to name the resource, before an optional `:selector`. */
export function toValueFromForms(resource: Resource): string[] {
  const { partition, region, account } = resource;
  if (resource.kind === 'ssm') {
    const bare = resource.name.replace(/^\//, '');
    return [bare, `/${bare}`, `arn:${partition}:ssm:${region}:${account}:parameter/${bare}`];
  }
  const name = resource.complete ? resource.secretId.slice(0, -7) : resource.secretId;
  const ids = [...new Set([resource.secretId, name])];
  const arns = ids.map((id) => `arn:${partition}:secretsmanager:${region}:${account}:secret:${id}`);
  return [...arns, ...ids.map((id) => `${VIA_SSM}${id}`), ...arns.map((arn) => `${VIA_SSM}${arn}`)];
}

/** Every `valueFrom` / `credentialsParameter` string anywhere in a job definition. */
export function toValueFroms(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) toValueFroms(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, field] of Object.entries(value)) {
      if ((key === 'valueFrom' || key === 'credentialsParameter') && typeof field === 'string') found.push(field);
      else toValueFroms(field, found);
    }
  }
  return found;
}

const references = (definition: JobDefinition, forms: readonly string[]) =>
  toValueFroms(definition).some((v) => forms.some((form) => v === form || v.startsWith(`${form}:`)));

/** SDK shapes and the core's structural types describe the same JSON; the SDK marks every field optional. */
const fromWire = <T>(value: unknown): T => value as T;

const toJob = (summary: JobSummary, jobQueue: string): BatchJob =>
  fromWire<BatchJob>({ ...summary, jobQueue, jobDefinition: summary.jobDefinition ?? '' });

/** Creates the naive reactor over the same (rate-limited) Batch client and ports as rotation-reactor. */
export function createNaiveReactor(client: BatchClient, deps: ReactDeps, options: ReactOptions): NaiveReactor {
  async function listByDefinition(input: { jobQueue?: string; arrayJobId?: string }, definitionArn: string) {
    const summaries: JobSummary[] = [];
    const filters = [{ name: 'JOB_DEFINITION', values: [definitionArn] }];
    for await (const page of paginateListJobs({ client, pageSize: 100 }, { ...input, filters })) {
      summaries.push(...(page.jobSummaryList ?? []));
    }
    return summaries;
  }

  async function discover(change: Change): Promise<Discovered> {
    const queues: BatchJobQueue[] = [];
    for await (const page of paginateDescribeJobQueues({ client, pageSize: 100 }, {})) {
      queues.push(...fromWire<BatchJobQueue[]>(page.jobQueues ?? []));
    }
    const forms = toValueFromForms(change.resource);
    const definitions: BatchJobDefinition[] = [];
    for await (const page of paginateDescribeJobDefinitions({ client, pageSize: 100 }, { status: 'ACTIVE' })) {
      for (const definition of page.jobDefinitions ?? []) {
        if (references(definition, forms)) definitions.push(fromWire<BatchJobDefinition>(definition));
      }
    }
    const live: BatchJob[] = [];
    for (const definition of definitions) {
      for (const queue of queues) {
        for (const summary of await listByDefinition({ jobQueue: queue.jobQueueArn }, definition.jobDefinitionArn)) {
          if (LIVE.has(summary.status ?? '')) live.push(toJob(summary, queue.jobQueueArn));
          // An array parent is PENDING while its children run; the children are listed through it.
          if (summary.status === 'PENDING' && summary.arrayProperties?.size) {
            const children = await listByDefinition({ arrayJobId: summary.jobId }, definition.jobDefinitionArn);
            live.push(...children.filter((c) => LIVE.has(c.status ?? '')).map((c) => toJob(c, queue.jobQueueArn)));
          }
        }
      }
    }
    return { queues, live, definitions };
  }

  return {
    async react(inputs) {
      const reports: RunReport[] = [];
      for (const input of inputs) {
        const { changes, rejected } = parseChanges([input]);
        if (changes.length === 0) {
          reports.push(await reactToChanges([], rejected, deps, options));
          continue;
        }
        for (const change of changes) {
          const discovered = await discover(change.change);
          const view = toFleetView(discovered, options.home);
          const search = findStaleJobs([change.change], view, options.plan);
          reports.push(await decideAndApply(search, view, [change], rejected, deps, options));
        }
      }
      return reports;
    },
  };
}
