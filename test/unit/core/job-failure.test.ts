import { TransientError } from '../../../lib/core/errors';
import type { BatchJob } from '../../../lib/core/fleet';
import { reactToJobFailure } from '../../../lib/core/job-failure';
import { type ChangeKey, POLICY_TAG } from '../../../lib/core/keys';
import type { ReactOptions } from '../../../lib/core/react';
import { aDefinition, aJob, aQueue, HOME, T0 } from '../../support/builders';
import { aMemoryBatch, aMemoryEmitter, aMemoryLedger } from '../../support/fakes';

const KEY = 'ssm:aws:us-east-2:123456789012:prod/db/password|value-changed|2026-11-28T12:00:00.000Z' as ChangeKey;
const options: ReactOptions = {
  home: HOME,
  plan: { defaultPolicy: 'flag', staleMarginMs: 60_000, maxResubmitsPerChange: 25 },
  mode: 'apply',
};
const onFailure = { [POLICY_TAG]: 'resubmit-on-failure' };

async function setup(jobs: BatchJob[], flagged: string | null = jobs[0]?.jobId.split(':')[0] ?? null) {
  const memory = aMemoryLedger({ now: () => T0 + 3_600_000 });
  const batch = aMemoryBatch({ queues: [aQueue()], definitions: [aDefinition()], jobs });
  const { emitter, events } = aMemoryEmitter();
  if (flagged) {
    const claim = await memory.ledger.claim({
      jobId: flagged,
      slot: `flag#${KEY.slice(0, KEY.lastIndexOf('|'))}`,
      action: 'resubmit-on-failure',
      changeKeys: [KEY],
      references: ['/prod/db/password'],
      staleSince: T0,
    });
    if (claim.claimed) await memory.ledger.complete(claim.ticket, { note: 'tagged' });
  }
  const deps = { jobs: batch.source, actions: batch.actions, ledger: memory.ledger, emitter, clock: () => T0 };
  return { deps, batch, memory, events };
}

const failed = (overrides: Partial<BatchJob> = {}) =>
  aJob({
    jobId: 'j',
    status: 'FAILED',
    statusReason: 'Essential container in task exited',
    tags: onFailure,
    ...overrides,
  });

describe('reactToJobFailure', () => {
  it('resubmits a flagged job that failed on its own, once, without terminating it, and reports it', async () => {
    const { deps, batch, events } = await setup([failed()]);
    const report = await reactToJobFailure('j', deps, options);
    expect(report).toMatchObject({
      status: 'decided',
      outcomes: [{ status: 'applied', reaction: { reason: 'failed-after-flag' } }],
    });
    expect(batch.submitted.map((s) => s.replaces)).toEqual(['j']);
    expect(batch.terminated).toEqual([]);
    expect(events.map((e) => e.detailType)).toEqual(['Job Resubmitted']);
    await expect(reactToJobFailure('j', deps, options)).resolves.toMatchObject({ status: 'duplicate' });
    expect(batch.submitted).toHaveLength(1);
  });

  it.each([
    ['not flagged', failed(), null, 'not-flagged'],
    ['still running (an event alone proves nothing)', failed({ status: 'RUNNING' }), 'j', 'not-failed'],
    ['terminated by an operator', failed({ isTerminated: true, statusReason: 'Terminated by ops' }), 'j', 'terminated'],
    ['cancelled', failed({ isCancelled: true }), 'j', 'terminated'],
    ['replaced by the reactor', failed({ statusReason: 'rotation-reactor: replaced by x; …' }), 'j', 'terminated'],
  ])('does nothing for a job %s', async (_name, job, flagged, status) => {
    const { deps, batch } = await setup([job], flagged);
    await expect(reactToJobFailure('j', deps, options)).resolves.toMatchObject({ status });
    expect(batch.submitted).toEqual([]);
  });

  it('does nothing for a job Batch no longer knows', async () => {
    const { deps } = await setup([], 'j');
    await expect(reactToJobFailure('j', deps, options)).resolves.toMatchObject({ status: 'unknown-job' });
  });

  it('resubmits a failed array child as its whole array, once, when the parent has failed too', async () => {
    const parent = failed({ jobId: 'p', arrayProperties: { size: 3 }, statusReason: 'Array Child Job failed' });
    const child = failed({ jobId: 'p:1' });
    const { deps, batch } = await setup([child, parent], 'p');
    await expect(reactToJobFailure('p:1', deps, options)).resolves.toMatchObject({ status: 'decided' });
    await expect(reactToJobFailure('p:2', deps, options)).resolves.toMatchObject({ status: 'duplicate' });
    await expect(reactToJobFailure('p', deps, options)).resolves.toMatchObject({ status: 'duplicate' });
    expect(batch.submitted.map((s) => s.replaces)).toEqual(['p']);
  });

  it('waits for the parent when only a child has failed yet', async () => {
    const { deps, batch } = await setup([failed({ jobId: 'p:1' }), failed({ jobId: 'p', status: 'PENDING' })], 'p');
    await expect(reactToJobFailure('p:1', deps, options)).resolves.toMatchObject({ status: 'not-failed' });
    expect(batch.submitted).toEqual([]);
  });

  it('throws a retryable error after a transient failure, so Lambda retries and its DLQ keeps the rest', async () => {
    const { deps, batch, events } = await setup([failed()]);
    batch.faults.submit = () => new TransientError('SubmitJob outcome unknown: 503');
    await expect(reactToJobFailure('j', deps, options)).rejects.toMatchObject({
      name: 'TransientError',
      retryable: true,
    });
    expect(events.map((e) => e.detailType)).toEqual(['Job Action Failed']);
    batch.faults.submit = undefined;
    await expect(reactToJobFailure('j', deps, options)).resolves.toMatchObject({ status: 'decided' });
    expect(batch.submitted).toHaveLength(1);
  });

  it('applies the blast-radius cap of the change', async () => {
    const { deps, batch, memory } = await setup([failed()]);
    await memory.ledger.reserve(KEY, 'others', 25, 25);
    const report = await reactToJobFailure('j', deps, options);
    expect(report.outcomes).toEqual([
      expect.objectContaining({ reaction: expect.objectContaining({ action: 'flag', reason: 'blast-radius' }) }),
    ]);
    expect(batch.submitted).toEqual([]);
  });

  it('only plans in dry-run', async () => {
    const { deps, batch } = await setup([failed()]);
    const report = await reactToJobFailure('j', deps, { ...options, mode: 'dry-run' });
    expect(report.outcomes.map((o) => o.status)).toEqual(['dry-run']);
    expect(batch.submitted).toEqual([]);
  });
});
