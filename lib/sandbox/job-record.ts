import type { BatchJob } from '../core/fleet';

/** How long a submitted job spends in each state before it reaches RUNNING (ms on the sandbox clock). */
export interface Lifecycle {
  readonly submittedMs: number;
  readonly runnableMs: number;
  readonly startingMs: number;
}

/** Where a job sits in Batch's job tree: array parents own `<id>:<i>` children, multi-node jobs own `<id>#<n>` nodes. */
export type JobKind = 'job' | 'array-parent' | 'array-child' | 'multi-node-main' | 'multi-node-node';

/** The final state TerminateJob / CancelJob put a job in. */
export interface JobStop {
  readonly status: 'FAILED';
  readonly stoppedAt: number;
  readonly statusReason: string;
  readonly startedAt?: number;
  readonly cancelled: boolean;
  readonly terminated: boolean;
}

/**
 * One job as the sandbox stores it. `detail` holds what never changes; status and times are computed on read from
 * `createdAt` + `lifecycle` (submitted jobs) or taken from `detail` (fleet jobs, which have no lifecycle).
 */
export interface JobRecord {
  readonly jobId: string;
  readonly jobArn: string;
  readonly jobName: string;
  readonly jobQueue: string;
  readonly jobDefinition: string;
  readonly createdAt: number;
  readonly kind: JobKind;
  readonly detail: BatchJob;
  readonly lifecycle?: Lifecycle;
  readonly parentId?: string;
  tags: Record<string, string>;
  stop?: JobStop;
}

/** The kind of a job given in a fleet snapshot, read from its id and shape. */
export function toJobKind(job: BatchJob): JobKind {
  if (job.jobId.includes(':')) return 'array-child';
  if (job.jobId.includes('#')) return 'multi-node-node';
  if (job.arrayProperties?.size !== undefined && job.arrayProperties.index === undefined) return 'array-parent';
  if (job.nodeProperties !== undefined && job.nodeDetails === undefined) return 'multi-node-main';
  return 'job';
}
