/**
 * The Batch fleet as the core sees it: the subset of AWS Batch's own JSON shapes (DescribeJobQueues,
 * DescribeJobDefinitions, DescribeJobs / ListJobs) the decision needs. Extra fields pass through untouched.
 */

/** A `Secret` entry (`secrets[]`, `logConfiguration.secretOptions[]`). */
export interface BatchSecret {
  readonly name?: string;
  readonly valueFrom?: string;
}

/** The container fields that can carry references, in any of Batch's container shapes. */
export interface BatchContainer {
  readonly name?: string;
  readonly secrets?: readonly BatchSecret[];
  readonly logConfiguration?: { readonly logDriver?: string; readonly secretOptions?: readonly BatchSecret[] };
  readonly repositoryCredentials?: { readonly credentialsParameter?: string };
  readonly [field: string]: unknown;
}

/** `ecsProperties` of a definition or job. */
export interface BatchEcsProperties {
  readonly taskProperties?: readonly {
    readonly containers?: readonly BatchContainer[];
    readonly [field: string]: unknown;
  }[];
}

/** `nodeProperties` of a multi-node definition or job. */
export interface BatchNodeProperties {
  readonly numNodes?: number;
  readonly mainNode?: number;
  readonly nodeRangeProperties?: readonly {
    readonly targetNodes?: string;
    readonly container?: BatchContainer;
    readonly ecsProperties?: BatchEcsProperties;
    readonly [field: string]: unknown;
  }[];
}

/** A job definition revision (`DescribeJobDefinitions`). Immutable once registered. */
export interface BatchJobDefinition {
  readonly jobDefinitionArn: string;
  readonly jobDefinitionName: string;
  readonly revision: number;
  readonly status?: string;
  readonly type?: string;
  readonly containerProperties?: BatchContainer;
  readonly nodeProperties?: BatchNodeProperties;
  readonly ecsProperties?: BatchEcsProperties;
  readonly tags?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/** A job queue (`DescribeJobQueues`). */
export interface BatchJobQueue {
  readonly jobQueueArn: string;
  readonly jobQueueName: string;
  readonly state?: string;
  readonly status?: string;
  readonly jobQueueType?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/** Batch job statuses. */
export type JobStatus = 'SUBMITTED' | 'PENDING' | 'RUNNABLE' | 'STARTING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A job (`DescribeJobs` detail, or a `ListJobs` summary enriched with its queue). Times are epoch ms. */
export interface BatchJob {
  readonly jobId: string;
  readonly jobArn?: string;
  readonly jobName: string;
  readonly jobQueue: string;
  readonly jobDefinition: string;
  readonly status: JobStatus | string;
  readonly createdAt?: number;
  readonly startedAt?: number;
  readonly stoppedAt?: number;
  readonly tags?: Readonly<Record<string, string>>;
  readonly container?: BatchContainer;
  readonly nodeProperties?: BatchNodeProperties;
  readonly ecsProperties?: BatchEcsProperties;
  readonly arrayProperties?: { readonly size?: number; readonly index?: number; readonly [field: string]: unknown };
  readonly nodeDetails?: { readonly nodeIndex?: number; readonly isMainNode?: boolean };
  readonly [field: string]: unknown;
}

/** The offline input of `plan` and the sandbox: a region's queues, definition revisions and jobs. */
export interface FleetSnapshot {
  readonly region: string;
  readonly account: string;
  readonly partition?: string;
  readonly jobQueues: readonly BatchJobQueue[];
  readonly jobDefinitions: readonly BatchJobDefinition[];
  readonly jobs: readonly BatchJob[];
}

/** True for an array child (`<parent>:<index>`) or a multi-node node (`<job>#<n>`): Batch cannot tag or resubmit these alone. */
export function isChildJob(jobId: string): boolean {
  return jobId.includes(':') || jobId.includes('#');
}

/** The array parent or multi-node main job id of a child; the id itself otherwise. */
export function toParentJobId(jobId: string): string {
  return jobId.split(/[:#]/)[0];
}

/** The node index of a multi-node node (`<job>#<n>`, or its `nodeDetails`); undefined for any other job. */
export function toNodeIndex(job: Pick<BatchJob, 'jobId' | 'nodeDetails'>): number | undefined {
  const hash = job.jobId.indexOf('#');
  if (hash < 0) return undefined;
  const index = Number(job.jobId.slice(hash + 1));
  return Number.isInteger(index) ? index : job.nodeDetails?.nodeIndex;
}
