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
  for (const child of childrenOf(state, record.jobId)) stopOne(state, child, reason, action);
  stopOne(state, record, reason, action);
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
