import type { JobStatus } from '../core/fleet';
import type { JobRecord } from './job-record';

/** A job's status and times at a given instant. */
export interface JobState {
  readonly status: JobStatus;
  readonly startedAt?: number;
  readonly stoppedAt?: number;
  readonly statusReason?: string;
  readonly isCancelled?: boolean;
  readonly isTerminated?: boolean;
}

/** Statuses after which a job never changes again. */
export function isFinished(status: JobStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED';
}

/** Statuses in which a container has been (or is being) started: TerminateJob stops these, CancelJob does not. */
export function isStarted(status: JobStatus): boolean {
  return status === 'STARTING' || status === 'RUNNING';
}

/**
 * Computes a job's state at `now`. Submitted jobs go SUBMITTED (array children: PENDING) → RUNNABLE → STARTING →
 * RUNNING by elapsed time; an array parent sits in PENDING until every child has finished. Fleet jobs keep the
 * status they were loaded with (a fleet array parent: until one of its children is stopped). A stop (terminate,
 * cancel, a container failure) overrides everything.
 */
export function toJobState(record: JobRecord, now: number, children: readonly JobRecord[] = []): JobState {
  if (record.stop) {
    const { status, stoppedAt, statusReason, startedAt, cancelled, terminated } = record.stop;
    return {
      status,
      stoppedAt,
      statusReason,
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(cancelled ? { isCancelled: true } : {}),
      ...(terminated ? { isTerminated: true } : {}),
    };
  }
  const { lifecycle } = record;
  // A fleet array parent keeps its loaded status until a child of it is stopped; then it follows its children.
  if (lifecycle === undefined && record.kind === 'array-parent' && children.some((child) => child.stop)) {
    return summariseChildren(children.map((child) => toJobState(child, now)));
  }
  if (lifecycle === undefined) return fixedState(record);
  const age = now - record.createdAt;
  if (record.kind === 'array-parent') {
    if (age < lifecycle.submittedMs) return { status: 'SUBMITTED' };
    return summariseChildren(children.map((child) => toJobState(child, now)));
  }
  if (age < lifecycle.submittedMs) return { status: record.kind === 'array-child' ? 'PENDING' : 'SUBMITTED' };
  if (age < lifecycle.submittedMs + lifecycle.runnableMs) return { status: 'RUNNABLE' };
  const startedAt = record.createdAt + lifecycle.submittedMs + lifecycle.runnableMs + lifecycle.startingMs;
  return now < startedAt ? { status: 'STARTING' } : { status: 'RUNNING', startedAt };
}

function fixedState(record: JobRecord): JobState {
  const { status, startedAt, stoppedAt, statusReason, isCancelled, isTerminated } = record.detail;
  return {
    status: status as JobStatus,
    ...(typeof startedAt === 'number' ? { startedAt } : {}),
    ...(typeof stoppedAt === 'number' ? { stoppedAt } : {}),
    ...(typeof statusReason === 'string' ? { statusReason } : {}),
    ...(isCancelled === true ? { isCancelled } : {}),
    ...(isTerminated === true ? { isTerminated } : {}),
  };
}

function summariseChildren(states: readonly JobState[]): JobState {
  if (states.length === 0 || !states.every((state) => isFinished(state.status))) return { status: 'PENDING' };
  const stoppedAt = states.reduce((latest, state) => Math.max(latest, state.stoppedAt ?? 0), 0);
  return states.some((state) => state.status === 'FAILED')
    ? { status: 'FAILED', stoppedAt, statusReason: 'Array Child Job failed' }
    : { status: 'SUCCEEDED', stoppedAt };
}
