/**
 * The `resubmit-on-failure` policy, as a first-class path: a job flagged stale is resubmitted once when it really
 * FAILED on its own (not terminated or cancelled by an operator or by the reactor), as a whole array when a child
 * failed, through the same decision (stage 2: policy, cap per change, permitted scope) and the same fenced apply.
 */
import { applyReactions, type ReactionOutcome } from './apply';
import { decideReactions, toBudgetKeys } from './decide';
import type { ChangeSummary, Plan } from './decision';
import { TransientError } from './errors';
import type { StaleSearch } from './find-stale';
import { type BatchJob, toParentJobId } from './fleet';
import { type ChangeKey, parseChangeKey, parseSlotName } from './keys';
import { toActionEvents } from './output-events';
import type { LedgerEntry } from './ports';
import type { ReactDeps, ReactOptions } from './react';

/** What became of a Batch job failure. */
export type JobFailureStatus =
  /** No `resubmit-on-failure` flag for the job or its parent. */
  | 'not-flagged'
  /** Already resubmitted (by this path or another). */
  | 'duplicate'
  /** DescribeJobs says the job (or its array parent) is not FAILED (yet): the parent's own event will come. */
  | 'not-failed'
  /** Terminated or cancelled: by an operator, or by the reactor when it replaced the job. Never resurrected. */
  | 'terminated'
  /** Batch no longer knows the job. */
  | 'unknown-job'
  /** Decided and applied (or planned, in dry-run): see the outcomes. */
  | 'decided';

/** The report of one job failure. */
export interface JobFailureReport {
  readonly jobId: string;
  readonly status: JobFailureStatus;
  readonly detail?: string;
  readonly plan?: Plan;
  readonly outcomes: readonly ReactionOutcome[];
}

const REACTOR_REASON = 'rotation-reactor:';

/** The change summaries a flag recorded (kind and resource are not needed to decide, only keys and times). */
function toRecordedChanges(entry: LedgerEntry): ChangeSummary[] {
  return entry.changeKeys.flatMap((key: ChangeKey) => {
    const parsed = parseChangeKey(key);
    return parsed
      ? [{ key, kind: 'recorded', resource: parsed.resource, effect: parsed.effect, changedAt: parsed.changedAt }]
      : [];
  });
}

/** Why a failed job must not be resubmitted: it was stopped on purpose. */
function toStoppedOnPurpose(jobs: readonly (BatchJob | undefined)[]): string | undefined {
  for (const job of jobs) {
    if (!job) continue;
    const reason = typeof job.statusReason === 'string' ? job.statusReason : '';
    if (reason.startsWith(REACTOR_REASON)) return `replaced by the reactor (${reason})`;
    if (job.isTerminated === true) return `terminated by an operator${reason ? ` (${reason})` : ''}`;
    if (job.isCancelled === true) return `cancelled${reason ? ` (${reason})` : ''}`;
  }
  return undefined;
}

/**
 * Handles one "Batch Job State Change" to FAILED. Throws a retryable error when an action failed for a transient
 * reason, so the Lambda invocation fails (retried, then its DLQ), after the output events were sent.
 */
export async function reactToJobFailure(
  jobId: string,
  deps: ReactDeps,
  options: ReactOptions,
): Promise<JobFailureReport> {
  // Array children and multi-node nodes are resubmitted as their parent: flags and the resubmission live there.
  const parentId = toParentJobId(jobId);
  const entries = await deps.ledger.entriesOf(parentId);
  const flag = entries.find(
    (e) => e.action === 'resubmit-on-failure' && e.state === 'done' && parseSlotName(e.slot)?.kind === 'flag',
  );
  if (!flag) return { jobId, status: 'not-flagged', outcomes: [] };
  const done = entries.find((e) => parseSlotName(e.slot)?.kind === 'resubmit' && e.state === 'done');
  if (done) return { jobId, status: 'duplicate', detail: `replaced by ${done.replacementJobId}`, outcomes: [] };

  const described = new Map((await deps.jobs.describeJobs([...new Set([parentId, jobId])])).map((j) => [j.jobId, j]));
  const parent = described.get(parentId);
  if (!parent) return { jobId, status: 'unknown-job', detail: `DescribeJobs did not return ${parentId}`, outcomes: [] };
  if (parent.status !== 'FAILED') return { jobId, status: 'not-failed', detail: parent.status, outcomes: [] };
  const stopped = toStoppedOnPurpose([parent, described.get(jobId)]);
  if (stopped) return { jobId, status: 'terminated', detail: stopped, outcomes: [] };

  const [queues, definitions] = await Promise.all([
    deps.jobs.listQueues(),
    deps.jobs.getDefinitions([parent.jobDefinition]),
  ]);
  const changes = toRecordedChanges(flag);
  const search: StaleSearch = {
    changes,
    candidates: [
      {
        rank: 0,
        job: parent,
        changes,
        references: flag.references.map((valueFrom) => ({ valueFrom, location: 'recorded with the flag' })),
        reaching: changes.map((c) => c.key),
      },
    ],
    skipped: [],
    referencing: new Map(changes.map((c) => [c.key, 1])),
    invalidReferences: [],
    toDescribe: [parentId],
  };
  const budgets = options.mode === 'apply' ? await deps.ledger.budgetsOf(toBudgetKeys(search)) : undefined;
  const plan = decideReactions(
    search,
    { fleet: { queues, definitions }, details: described, budgets },
    { ...options.plan, trigger: 'job-failure' },
  );
  const outcomes = await applyReactions(plan, described, deps, {
    mode: options.mode,
    maxResubmitsPerChange: options.plan.maxResubmitsPerChange,
    terminate: false,
    remainingMs: options.remainingMs,
  });
  await deps.emitter.emit(toActionEvents(outcomes));
  const failed = outcomes.filter((o) => o.status === 'failed' || o.status === 'deferred');
  if (failed.length > 0) {
    throw new TransientError(
      `resubmission of ${parentId} after its failure did not complete: ${failed.map((o) => o.error ?? o.note).join('; ')}`,
    );
  }
  return { jobId, status: 'decided', plan, outcomes };
}
