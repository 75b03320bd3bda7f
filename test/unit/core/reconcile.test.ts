import type { BatchJob } from '../../../lib/core/fleet';
import type { JobSource, Ledger, LedgerEntry } from '../../../lib/core/ports';
import { reconcileExpiredClaims } from '../../../lib/core/reconcile';
import { aJob, T0 } from '../../support/builders';

const anEntry = (jobId: string, slot = 'resubmit'): LedgerEntry => ({
  jobId,
  slot,
  state: 'claimed',
  action: slot === 'resubmit' ? 'resubmit' : 'flag',
  changeKeys: ['k'],
  references: ['/p'],
  staleSince: T0,
  claimedAt: T0,
  updatedAt: T0,
  attempts: 1,
});

function fakes(entries: LedgerEntry[], jobs: BatchJob[], replacements: Record<string, string>) {
  const settled: string[] = [];
  const ledger = {
    expiredClaims: async () => entries,
    complete: async (jobId: string, _slot: string, outcome: { replacementJobId?: string }) => {
      settled.push(`${jobId}:done:${outcome.replacementJobId}`);
    },
    fail: async (jobId: string) => {
      settled.push(`${jobId}:failed`);
    },
  } as unknown as Ledger;
  const source = {
    describeJobs: async (ids: readonly string[]) => jobs.filter((j) => ids.includes(j.jobId)),
    findReplacement: async (job: BatchJob) => replacements[job.jobId],
  } as unknown as JobSource;
  return { deps: { ledger, jobs: source }, settled };
}

describe('reconcileExpiredClaims', () => {
  it('records the replacement of a crashed resubmission whose job has ended, fails one without, leaves live jobs alone', async () => {
    const { deps, settled } = fakes(
      [
        anEntry('terminated'),
        anEntry('never-submitted'),
        anEntry('still-running'),
        anEntry('flagged', 'flag#x'),
        anEntry('gone'),
      ],
      [
        aJob({ jobId: 'terminated', status: 'FAILED' }),
        aJob({ jobId: 'never-submitted', status: 'SUCCEEDED' }),
        aJob({ jobId: 'still-running', status: 'RUNNING' }),
      ],
      { terminated: 'replacement-1' },
    );
    expect(await reconcileExpiredClaims(deps)).toBe(2);
    expect(settled).toEqual(['terminated:done:replacement-1', 'never-submitted:failed']);
  });

  it('does nothing when no claim expired', async () => {
    const { deps, settled } = fakes([], [], {});
    expect(await reconcileExpiredClaims(deps)).toBe(0);
    expect(settled).toEqual([]);
  });
});
