/** The `resubmit-on-failure` policy: a job flagged stale is resubmitted once when it later fails. */

import type { Mode } from './apply';
import type { OutputEvent } from './ports';
import type { ReactDeps } from './react';

/** What became of a failed job. */
export type FailureOutcome =
  | { readonly status: 'not-flagged' }
  | { readonly status: 'dry-run' | 'kill-switch' }
  | { readonly status: 'duplicate'; readonly replacementJobId?: string }
  | { readonly status: 'resubmitted'; readonly replacementJobId: string; readonly note: string }
  | { readonly status: 'failed'; readonly error: string };

const SLOT = 'resubmit';

/** Resubmits a FAILED job if the ledger holds a `resubmit-on-failure` flag for it; at most once per job. */
export async function resubmitFailedJob(jobId: string, deps: ReactDeps, mode: Mode): Promise<FailureOutcome> {
  const flagged = (await deps.ledger.entriesOf(jobId)).find(
    (e) => e.action === 'resubmit-on-failure' && e.state === 'done',
  );
  if (!flagged) return { status: 'not-flagged' };
  if (mode !== 'apply') return { status: mode };
  const claim = await deps.ledger.claim({
    jobId,
    slot: SLOT,
    action: 'resubmit',
    jobName: flagged.jobName,
    jobQueue: flagged.jobQueue,
    jobDefinition: flagged.jobDefinition,
    changeKeys: flagged.changeKeys,
    references: flagged.references,
    staleSince: flagged.staleSince,
    claimedAt: deps.clock(),
  });
  if (!claim.claimed) return { status: 'duplicate', replacementJobId: claim.holder.replacementJobId };
  let outcome: FailureOutcome;
  try {
    const [job] = await deps.jobs.describeJobs([jobId]);
    if (!job) throw new Error(`DescribeJobs did not return ${jobId}`);
    const earlier = claim.resumed ? await deps.jobs.findReplacement(job) : undefined;
    const replacementJobId = earlier ?? (await deps.actions.submitReplacement(job));
    const note = earlier ? 'found the replacement of an earlier attempt' : 'resubmitted after the flagged job failed';
    await deps.ledger.complete(jobId, SLOT, { replacementJobId, note });
    outcome = { status: 'resubmitted', replacementJobId, note };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await deps.ledger.fail(jobId, SLOT, message).catch(() => undefined);
    outcome = { status: 'failed', error: message };
  }
  const detail = {
    jobId,
    jobName: flagged.jobName,
    jobQueue: flagged.jobQueue,
    jobDefinition: flagged.jobDefinition,
    action: 'resubmit-on-failure',
    reason: 'failed-after-flag',
    staleSince: new Date(flagged.staleSince).toISOString(),
    changes: flagged.changeKeys,
    references: flagged.references,
  };
  const event: OutputEvent =
    outcome.status === 'resubmitted'
      ? {
          detailType: 'Job Resubmitted',
          detail: { ...detail, replacementJobId: outcome.replacementJobId, note: outcome.note },
        }
      : {
          detailType: 'Job Action Failed',
          detail: { ...detail, error: outcome.status === 'failed' ? outcome.error : '' },
        };
  await deps.emitter.emit([event]);
  return outcome;
}
