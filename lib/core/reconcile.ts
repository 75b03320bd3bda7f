/** Reconciliation of claims a crashed attempt left behind, once their stale job is gone from discovery. */

import { parseSlotName } from './keys';
import type { JobSource, Ledger } from './ports';

const LIVE = new Set(['RUNNING', 'STARTING']);

/**
 * Records what abandoned resubmissions did. A claim is abandoned when its lease has passed by the ledger's clock:
 * its holder no longer submits (a holder never sends SubmitJob later than half a lease after renewing it). Such a
 * claim whose job has ended gets the replacement the lineage tag names (done), or fails when there is none; every
 * write is conditional on the token it observed, so an attempt that took the slot over meanwhile is never
 * overwritten. A live job is left alone: the next event or sweep plans it again and takes the claim over. Returns
 * how many entries were settled.
 */
export async function reconcileExpiredClaims(deps: { jobs: JobSource; ledger: Ledger }): Promise<number> {
  const claims = (await deps.ledger.expiredClaims()).filter((e) => parseSlotName(e.slot)?.kind === 'resubmit');
  if (claims.length === 0) return 0;
  const jobs = new Map((await deps.jobs.describeJobs(claims.map((c) => c.jobId))).map((j) => [j.jobId, j]));
  let settled = 0;
  for (const claim of claims) {
    const job = jobs.get(claim.jobId);
    if (!job || LIVE.has(job.status)) continue;
    const replacementJobId = await deps.jobs.findReplacement(job);
    const outcome = replacementJobId
      ? { replacementJobId, note: 'recorded after an interrupted attempt' }
      : { error: 'interrupted attempt: the job ended before a replacement was submitted' };
    if (await deps.ledger.settle(claim, outcome)) settled++;
  }
  return settled;
}
