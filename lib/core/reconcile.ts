/** Reconciliation of claims a crashed attempt left behind, once their stale job is gone from discovery. */
import type { JobSource, Ledger } from './ports';

const LIVE = new Set(['RUNNING', 'STARTING']);

/**
 * Records what crashed resubmissions did: an expired `claimed` resubmit entry whose job has ended gets the
 * replacement the lineage tag names (done), or fails when there is none. A live job is left alone: the next event
 * or sweep plans it again and takes the expired claim over. Returns how many entries were settled.
 */
export async function reconcileExpiredClaims(deps: { jobs: JobSource; ledger: Ledger }): Promise<number> {
  const claims = (await deps.ledger.expiredClaims()).filter((e) => e.slot === 'resubmit');
  if (claims.length === 0) return 0;
  const jobs = new Map((await deps.jobs.describeJobs(claims.map((c) => c.jobId))).map((j) => [j.jobId, j]));
  let settled = 0;
  for (const claim of claims) {
    const job = jobs.get(claim.jobId);
    if (!job || LIVE.has(job.status)) continue;
    const replacementJobId = await deps.jobs.findReplacement(job);
    if (replacementJobId) {
      await deps.ledger.complete(claim.jobId, claim.slot, {
        replacementJobId,
        note: 'recorded after an interrupted attempt',
      });
    } else {
      await deps.ledger.fail(
        claim.jobId,
        claim.slot,
        'interrupted attempt: the job ended before a replacement was submitted',
      );
    }
    settled++;
  }
  return settled;
}
