import type { BatchJob } from '../../../lib/core/fleet';
import type { ChangeKey } from '../../../lib/core/keys';
import type { ClaimRequest } from '../../../lib/core/ports';
import { reconcileExpiredClaims } from '../../../lib/core/reconcile';
import { aJob, T0 } from '../../support/builders';
import { aMemoryBatch, aMemoryLedger } from '../../support/fakes';

const LEASE = 300_000;
const CHANGE = 'ssm:aws:us-east-2:123456789012:p|value-changed|2026-11-28T12:00:00.000Z' as ChangeKey;

const aRequest = (jobId: string, slot = 'resubmit'): ClaimRequest => ({
  jobId,
  slot,
  action: slot === 'resubmit' ? 'resubmit' : 'flag',
  changeKeys: [CHANGE],
  references: ['/p'],
  staleSince: T0,
});

async function setup(claimed: string[], jobs: BatchJob[], replacements: Record<string, string>) {
  let now = T0;
  const memory = aMemoryLedger({ leaseMs: LEASE, now: () => now });
  for (const jobId of claimed) await memory.ledger.claim(aRequest(jobId, jobId === 'flagged' ? 'flag#x' : 'resubmit'));
  const batch = aMemoryBatch({
    jobs: [
      ...jobs,
      ...Object.entries(replacements).map(([replaced, id]) =>
        aJob({ jobId: id, status: 'RUNNING', tags: { 'rotation-reactor:replaces': replaced } }),
      ),
    ],
  });
  return {
    memory,
    deps: { ledger: memory.ledger, jobs: batch.source },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('reconcileExpiredClaims', () => {
  it('records the replacement of an abandoned resubmission whose job has ended, fails one without, leaves live jobs alone', async () => {
    const { deps, memory, advance } = await setup(
      ['terminated', 'never-submitted', 'still-running', 'flagged', 'gone'],
      [
        aJob({ jobId: 'terminated', status: 'FAILED' }),
        aJob({ jobId: 'never-submitted', status: 'SUCCEEDED' }),
        aJob({ jobId: 'still-running', status: 'RUNNING' }),
      ],
      { terminated: 'replacement-1' },
    );
    advance(LEASE + 1);
    expect(await reconcileExpiredClaims(deps)).toBe(2);
    expect(memory.entry('terminated', 'resubmit')).toMatchObject({ state: 'done', replacementJobId: 'replacement-1' });
    expect(memory.entry('never-submitted', 'resubmit')).toMatchObject({ state: 'failed' });
    expect(memory.entry('still-running', 'resubmit')).toMatchObject({ state: 'claimed' });
    expect(memory.entry('flagged', 'flag#x')).toMatchObject({ state: 'claimed' });
  });

  it('leaves a claim whose lease has not passed: its holder may still be working', async () => {
    const { deps, memory, advance } = await setup(
      ['terminated'],
      [aJob({ jobId: 'terminated', status: 'FAILED' })],
      {},
    );
    advance(LEASE - 1);
    expect(await reconcileExpiredClaims(deps)).toBe(0);
    expect(memory.entry('terminated', 'resubmit')).toMatchObject({ state: 'claimed' });
  });

  it('does nothing when no claim expired', async () => {
    const { deps } = await setup([], [], {});
    expect(await reconcileExpiredClaims(deps)).toBe(0);
  });
});
