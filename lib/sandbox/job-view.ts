import type { BatchContainer, BatchJob, JobStatus } from '../core/fleet';
import { type BatchState, childrenOf } from './batch-state';
import type { JobRecord } from './job-record';
import { type JobState, toJobState } from './job-state';

const statuses: readonly JobStatus[] = [
  'SUBMITTED',
  'PENDING',
  'RUNNABLE',
  'STARTING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
];

/** A job's state at the sandbox's now (array parents look at their children). */
export function toCurrentState(state: BatchState, record: JobRecord): JobState {
  const children = record.kind === 'array-parent' ? childrenOf(state, record.jobId) : [];
  return toJobState(record, state.clock.now(), children);
}

/** The `DescribeJobs` JobDetail of a job as of now. */
export function toJobDetail(state: BatchState, record: JobRecord, current = toCurrentState(state, record)): BatchJob {
  const { detail } = record;
  const view: Record<string, unknown> = { ...detail, ...current, tags: { ...record.tags } };
  if (record.lifecycle === undefined) return view as BatchJob;
  if (record.kind === 'array-parent') {
    view.arrayProperties = { ...detail.arrayProperties, statusSummary: summarise(state, record) };
  }
  if (detail.container && current.startedAt !== undefined) view.container = withTask(state, record, detail.container);
  view.attempts = record.stop?.startedAt === undefined ? [] : [toAttempt(state, record)];
  return view as BatchJob;
}

/** The `ListJobs` JobSummary of a job as of now. */
export function toJobSummary(state: BatchState, record: JobRecord, current: JobState): Record<string, unknown> {
  const { detail } = record;
  const summary: Record<string, unknown> = {
    jobArn: record.jobArn,
    jobId: record.jobId,
    jobName: record.jobName,
    createdAt: record.createdAt,
    status: current.status,
    jobDefinition: record.jobDefinition,
  };
  if (typeof detail.shareIdentifier === 'string') summary.shareIdentifier = detail.shareIdentifier;
  if (current.statusReason !== undefined) summary.statusReason = current.statusReason;
  if (current.startedAt !== undefined) summary.startedAt = current.startedAt;
  if (current.stoppedAt !== undefined) summary.stoppedAt = current.stoppedAt;
  const exit = detail.container;
  if (exit && (exit.exitCode !== undefined || exit.reason !== undefined)) {
    summary.container = { exitCode: exit.exitCode, reason: exit.reason };
  }
  const array = detail.arrayProperties;
  if (array && (array.size !== undefined || array.index !== undefined)) {
    summary.arrayProperties = { size: array.size, index: array.index };
  }
  if (detail.nodeDetails || detail.nodeProperties) {
    summary.nodeProperties = {
      isMainNode: record.kind === 'multi-node-main' ? true : detail.nodeDetails?.isMainNode,
      numNodes: (detail.nodeProperties ?? toParentDetail(state, record)?.nodeProperties)?.numNodes,
      nodeIndex: detail.nodeDetails?.nodeIndex,
    };
  }
  return summary;
}

function toParentDetail(state: BatchState, record: JobRecord): BatchJob | undefined {
  return record.parentId === undefined ? undefined : state.jobs.get(record.parentId)?.detail;
}

function summarise(state: BatchState, record: JobRecord): Record<JobStatus, number> {
  const counts = Object.fromEntries(statuses.map((status) => [status, 0])) as Record<JobStatus, number>;
  const now = state.clock.now();
  for (const child of childrenOf(state, record.jobId)) counts[toJobState(child, now).status] += 1;
  return counts;
}

function toTaskId(record: JobRecord): string {
  return record.jobId
    .replace(/[^0-9a-f]/gi, '')
    .slice(0, 32)
    .padEnd(32, '0');
}

function withTask(state: BatchState, record: JobRecord, container: BatchContainer): BatchContainer {
  const { partition, region, account } = state.scope;
  const taskId = toTaskId(record);
  const definitionName = record.jobDefinition.split('/').pop()?.split(':')[0] ?? 'job';
  return {
    ...container,
    taskArn: `arn:${partition}:ecs:${region}:${account}:task/sandbox/${taskId}`,
    logStreamName: `${definitionName}/default/${taskId}`,
  };
}

function toAttempt(state: BatchState, record: JobRecord): Record<string, unknown> {
  const stop = record.stop!;
  const container = record.detail.container ? withTask(state, record, record.detail.container) : undefined;
  return {
    ...(container
      ? {
          container: {
            containerInstanceArn: `arn:${state.scope.partition}:ecs:${state.scope.region}:${state.scope.account}:container-instance/sandbox/${toTaskId(record)}`,
            taskArn: container.taskArn,
            logStreamName: container.logStreamName,
            networkInterfaces: [],
          },
        }
      : {}),
    startedAt: stop.startedAt,
    stoppedAt: stop.stoppedAt,
    statusReason: stop.statusReason,
  };
}
