import { clientError } from './api-error';
import { type BatchState, childrenOf } from './batch-state';
import type { JobRecord } from './job-record';
import { isFinished, isStarted } from './job-state';
import { toCurrentState } from './job-view';
import { type Body, requiredString } from './request-body';

/** TerminateJob stops started jobs too; CancelJob only jobs that have not reached STARTING. */
export type StopAction = 'terminate' | 'cancel';

/**
 * `TerminateJob` / `CancelJob`: jobs before STARTING are cancelled (FAILED); STARTING/RUNNING jobs are terminated
 * (FAILED, `isTerminated`) by TerminateJob and left alone by CancelJob, which still succeeds. A parent's array
 * children or nodes are stopped with it. Finished jobs are left as they are.
 */
export function stopJob(state: BatchState, body: Body, action: StopAction): Record<string, unknown> {
  const jobId = requiredString(body, 'jobId');
  const reason = requiredString(body, 'reason');
  if (reason.length > 1024) throw clientError('reason can be at most 1024 characters long');
  const record = state.jobs.get(jobId);
  if (record === undefined) throw clientError(`Job ${jobId} does not exist`);
  // The parent first: once its children are stopped, its state would follow theirs ("Array Child Job failed").
  stopOne(state, record, reason, action);
  for (const child of childrenOf(state, record.jobId)) stopOne(state, child, reason, action);
  return {};
}

function stopOne(state: BatchState, record: JobRecord, reason: string, action: StopAction): void {
  const current = toCurrentState(state, record);
  if (isFinished(current.status)) return;
  const started = isStarted(current.status);
  if (started && action === 'cancel') return;
  record.stop = {
    status: 'FAILED',
    stoppedAt: state.clock.now(),
    statusReason: reason,
    ...(current.startedAt === undefined ? {} : { startedAt: current.startedAt }),
    cancelled: !started,
    terminated: started,
  };
}

/**
 * A started job's container exits non-zero on its own (tests): FAILED, neither cancelled nor terminated, as Batch
 * reports a job whose essential container failed. An array parent follows its failed child on read.
 */
export function failJob(state: BatchState, jobId: string, reason = 'Essential container in task exited'): void {
  const record = state.jobs.get(jobId);
  if (record === undefined) throw new RangeError(`no job ${jobId} in the sandbox`);
  const current = toCurrentState(state, record);
  if (!isStarted(current.status) || isFinished(current.status)) {
    throw new RangeError(`job ${jobId} is ${current.status}: only a started job can fail on its own`);
  }
  record.stop = {
    status: 'FAILED',
    stoppedAt: state.clock.now(),
    statusReason: reason,
    ...(current.startedAt === undefined ? {} : { startedAt: current.startedAt }),
    cancelled: false,
    terminated: false,
  };
}
