/** Whether a job's container already read the value a change replaced. */
import type { BatchJob } from './fleet';

/** A job's state relative to one change. */
export type Freshness = 'stale' | 'started-after-change' | 'not-started' | 'finished';

const QUEUED = new Set(['SUBMITTED', 'PENDING', 'RUNNABLE']);
const FINISHED = new Set(['SUCCEEDED', 'FAILED']);

/**
 * STARTING jobs may hold either value: stale, unless created after the change (they resolve secrets after that).
 * RUNNING jobs are stale when they started before the change plus a margin (clock skew and late delivery favour
 * "stale"); a RUNNING job without `startedAt` is stale too. Queued jobs will read the new value when they start.
 */
export function toFreshness(
  job: Pick<BatchJob, 'status' | 'startedAt' | 'createdAt'>,
  changedAt: number,
  marginMs: number,
): Freshness {
  if (QUEUED.has(job.status)) return 'not-started';
  if (FINISHED.has(job.status)) return 'finished';
  if (job.status === 'STARTING') {
    return job.createdAt !== undefined && job.createdAt >= changedAt + marginMs ? 'started-after-change' : 'stale';
  }
  if (job.startedAt === undefined || job.startedAt === null) return 'stale';
  return job.startedAt < changedAt + marginMs ? 'stale' : 'started-after-change';
}
