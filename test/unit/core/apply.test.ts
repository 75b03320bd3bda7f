import {
  type ApplyOptions,
  applyReactions,
  type ReactionOutcome,
  toOutcomeCounts,
  toTerminateReason,
} from '../../../lib/core/apply';
import type { Reaction } from '../../../lib/core/decision';
import { RefusedError, TransientError } from '../../../lib/core/errors';
import type { BatchJob } from '../../../lib/core/fleet';
import { type ChangeKey, parseLineageTag, REPLACES_TAG } from '../../../lib/core/keys';
import { aJob, T0 } from '../../support/builders';
import { aMemoryBatch, aMemoryLedger } from '../../support/fakes';

const LEASE = 300_000;
const KEY = 'ssm:aws:us-east-2:123456789012:prod/db/password|value-changed|2026-11-28T12:00:00.000Z' as ChangeKey;

const aReaction = (job: BatchJob, overrides: Partial<Reaction> = {}): Reaction => ({
  jobId: job.jobId,
  jobArn: job.jobArn,
  jobName: job.jobName,
  jobQueue: job.jobQueue,
  jobDefinition: job.jobDefinition,
  status: job.status,
  action: 'resubmit',
  reason: 'stale',
  policy: 'resubmit',
  policySource: 'job',
  staleSince: T0,
  changes: [
    {
      key: KEY,
      kind: 'Parameter Store Change/Update',
      resource: 'ssm:aws:us-east-2:123456789012:prod/db/password',
      effect: 'value-changed',
      changedAt: T0,
    },
  ],
  references: [{ valueFrom: '/prod/db/password', location: 'containerProperties.secrets[0]' }],
  budget: { change: KEY, weight: 1 },
  ...overrides,
});

function setup(jobs: BatchJob[] = [aJob({ jobId: 'j' })]) {
  let now = T0 + 60_000;
  const memory = aMemoryLedger({ leaseMs: LEASE, now: () => now });
  const batch = aMemoryBatch({ jobs });
  const warnings: string[] = [];
  const deps = {
    jobs: batch.source,
    actions: batch.actions,
    ledger: memory.ledger,
    clock: () => now,
    log: { warn: (message: string) => warnings.push(message) },
  };
  const details = new Map(jobs.map((job) => [job.jobId, job]));
  const options: ApplyOptions = { mode: 'apply', maxResubmitsPerChange: 25 };
  const apply = (reactions: Reaction[], extra: Partial<ApplyOptions> = {}) =>
    applyReactions({ reactions }, details, deps, { ...options, ...extra });
  return {
    memory,
    batch,
    deps,
    apply,
    warnings,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('applyReactions', () => {
  it('submits a copy tagged with the change it answers, then terminates the stale job, then records it', async () => {
    const { apply, batch, memory } = setup();
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))]);
    expect(outcome).toMatchObject({ status: 'applied', note: 'submitted and terminated' });
    expect(batch.submitted).toEqual([{ replaces: 'j', answers: T0, jobId: outcome.replacementJobId }]);
    expect(batch.terminated).toEqual([
      { jobId: 'j', reason: toTerminateReason(outcome.reaction, outcome.replacementJobId!) },
    ]);
    expect(memory.entry('j', 'resubmit')).toMatchObject({ state: 'done', replacementJobId: outcome.replacementJobId });
    expect(memory.budget(KEY)).toEqual({ used: 1, jobs: new Set(['j']) });
  });

  it('names the change of one resource, with its own time, in the terminate reason', () => {
    const job = aJob({ jobId: 'j' });
    const reaction = aReaction(job, {
      changes: [
        { key: KEY, kind: 'k', resource: 'ssm:aws:us-east-2:1:b', effect: 'value-changed', changedAt: T0 + 30_000 },
        {
          key: KEY,
          kind: 'k',
          resource: 'secret:aws:us-east-2:1:a',
          effect: 'label-moved:blue',
          changedAt: T0 + 60_000,
        },
      ],
    });
    expect(toTerminateReason(reaction, 'new')).toBe(
      'rotation-reactor: replaced by new; ssm:aws:us-east-2:1:b value-changed at 2026-11-28T12:00:30.000Z (and 1 more change(s))',
    );
  });

  it('acts once when the same reaction is applied again (a redelivery)', async () => {
    const { apply, batch } = setup();
    const job = aJob({ jobId: 'j' });
    await apply([aReaction(job)]);
    const [again] = await apply([aReaction(job)]);
    expect(again).toMatchObject({ status: 'duplicate', note: 'already done' });
    expect(batch.submitted).toHaveLength(1);
  });

  it('flags, over its budget, a resubmission another run took the budget from', async () => {
    const { apply, batch, memory } = setup();
    await memory.ledger.reserve(KEY, 'other', 1, 1);
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))], { maxResubmitsPerChange: 1 });
    expect(outcome).toMatchObject({ status: 'applied', reaction: { action: 'flag', reason: 'blast-radius' } });
    expect(batch.submitted).toEqual([]);
    expect(batch.flagged).toEqual(['j']);
  });

  it('skips the budget for an operator-approved resubmission', async () => {
    const { apply, memory, batch } = setup();
    await memory.ledger.reserve(KEY, 'other', 1, 1);
    await apply([aReaction(aJob({ jobId: 'j' }))], { maxResubmitsPerChange: 1, approved: true });
    expect(batch.submitted).toHaveLength(1);
  });

  it('finds the replacement of an earlier attempt instead of submitting again (a crash after SubmitJob)', async () => {
    const job = aJob({ jobId: 'j' });
    const copy = aJob({ jobId: 'earlier-copy', tags: { [REPLACES_TAG]: 'j@2026-11-28T12:00:00.000Z' } });
    const { apply, memory, batch, advance } = setup([job, copy]);
    await memory.ledger.claim({
      jobId: 'j',
      slot: 'resubmit',
      action: 'resubmit',
      changeKeys: [KEY],
      references: [],
      staleSince: T0,
    });
    advance(LEASE + 1);
    const [outcome] = await apply([aReaction(job)]);
    expect(outcome).toMatchObject({
      status: 'applied',
      replacementJobId: 'earlier-copy',
      note: 'found the replacement of an earlier attempt',
    });
    expect(batch.submitted).toEqual([]);
    expect(batch.terminated.map((t) => t.jobId)).toEqual(['j']);
  });

  it('leaves a claim another attempt holds alone, while its lease runs', async () => {
    const { apply, memory, batch } = setup();
    await memory.ledger.claim({
      jobId: 'j',
      slot: 'resubmit',
      action: 'resubmit',
      changeKeys: [KEY],
      references: [],
      staleSince: T0,
    });
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))]);
    expect(outcome).toMatchObject({ status: 'duplicate', note: 'already claimed' });
    expect(batch.submitted).toEqual([]);
  });

  it('does not submit when the fence expired before SubmitJob left (a slow holder), and retries the trigger', async () => {
    const { apply, batch, memory, advance } = setup();
    batch.faults.submit = () => {
      advance(LEASE);
      return undefined;
    };
    // The fake checks the fence after the "slow" part: the submission must not go out.
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))]);
    expect(outcome).toMatchObject({ status: 'failed', error: expect.stringContaining('FencedOutError') });
    expect(batch.submitted).toEqual([]);
    expect(memory.entry('j', 'resubmit')).toMatchObject({ state: 'failed' });
  });

  it('reports a transient SubmitJob failure as failed (retried later), recorded in the ledger', async () => {
    const { apply, batch, memory } = setup();
    batch.faults.submit = () => new TransientError('SubmitJob outcome unknown: ECONNRESET');
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))]);
    expect(outcome).toMatchObject({ status: 'failed', error: 'TransientError: SubmitJob outcome unknown: ECONNRESET' });
    expect(memory.entry('j', 'resubmit')).toMatchObject({ state: 'failed' });
  });

  it('flags a job whose copy Batch refused, records the refusal as final, and never retries it', async () => {
    const { apply, batch, memory, advance } = setup();
    batch.faults.submit = () => new RefusedError('SubmitJob refused: ClientException: queue disabled');
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))]);
    expect(outcome).toMatchObject({
      status: 'refused',
      error: expect.stringContaining('queue disabled'),
      note: 'tagged',
    });
    expect(batch.flagged).toEqual(['j']);
    expect(memory.entry('j', 'resubmit')).toMatchObject({ state: 'refused' });
    advance(10 * LEASE);
    batch.faults.submit = undefined;
    const [again] = await apply([aReaction(aJob({ jobId: 'j' }))]);
    expect(again).toMatchObject({ status: 'duplicate', note: 'already refused' });
  });

  it('keeps the copy when the stale job cannot be terminated any more (it ended meanwhile)', async () => {
    const { apply, batch } = setup();
    batch.faults.terminate = () => new RefusedError('TerminateJob refused: ClientException: job not found');
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))]);
    expect(outcome).toMatchObject({ status: 'applied', note: expect.stringContaining('terminate refused') });
  });

  it('does not terminate a job that already failed (the job-failure path)', async () => {
    const { apply, batch } = setup();
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))], { terminate: false });
    expect(outcome).toMatchObject({ status: 'applied', note: 'submitted (the job had already failed)' });
    expect(batch.terminated).toEqual([]);
  });

  it('starts no action when the invocation runs short of time, and says so', async () => {
    const { apply, batch } = setup();
    const outcomes = await apply([aReaction(aJob({ jobId: 'j' }))], { remainingMs: () => 5_000 });
    expect(outcomes.map((o) => o.status)).toEqual(['deferred']);
    expect(batch.submitted).toEqual([]);
  });

  it('only reports in dry-run', async () => {
    const { apply, batch, memory } = setup();
    const outcomes = await apply([aReaction(aJob({ jobId: 'j' }))], { mode: 'dry-run' });
    expect(outcomes.map((o) => o.status)).toEqual(['dry-run']);
    expect(batch.submitted).toEqual([]);
    expect(memory.entries()).toEqual([]);
  });

  it('fails a reaction whose job DescribeJobs did not return', async () => {
    const { deps } = setup([]);
    const outcomes = await applyReactions({ reactions: [aReaction(aJob({ jobId: 'gone' }))] }, new Map(), deps, {
      mode: 'apply',
      maxResubmitsPerChange: 25,
    });
    expect(outcomes).toEqual([
      expect.objectContaining({ status: 'failed', error: 'DescribeJobs did not return gone' }),
    ]);
  });

  it('flags once per resource and effect, whatever the event time', async () => {
    const { apply, batch } = setup();
    const job = aJob({ jobId: 'j' });
    await apply([aReaction(job, { action: 'flag', budget: undefined })]);
    const later = {
      ...aReaction(job).changes[0],
      key: KEY.replace('12:00:00', '12:05:00') as ChangeKey,
      changedAt: T0 + 300_000,
    };
    const [again] = await apply([aReaction(job, { action: 'flag', budget: undefined, changes: [later] })]);
    expect(again.status).toBe('duplicate');
    expect(batch.flagged).toEqual(['j']);
  });

  it('logs, and does not throw over, a ledger failure while recording a failed action', async () => {
    const { apply, batch, memory, warnings } = setup();
    batch.faults.submit = () => new TransientError('boom');
    memory.ledger.fail = async () => {
      throw new Error('DynamoDB down');
    };
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))]);
    expect(outcome.status).toBe('failed');
    expect(warnings).toEqual(['could not record a failed action in the ledger']);
  });

  it('writes a lineage the core reads back', async () => {
    const { apply, batch } = setup();
    const [outcome] = await apply([aReaction(aJob({ jobId: 'j' }))]);
    const copy = batch.jobs().find((job) => job.jobId === outcome.replacementJobId);
    expect(parseLineageTag(copy?.tags?.[REPLACES_TAG])).toEqual({ replaces: 'j', answers: T0 });
  });
});

describe('toOutcomeCounts', () => {
  it('tallies each status once, flags and resubmissions by action', () => {
    const job = aJob({ jobId: 'j' });
    const of = (status: ReactionOutcome['status'], action: Reaction['action'] = 'resubmit') => ({
      reaction: aReaction(job, { action }),
      status,
    });
    expect(
      toOutcomeCounts([
        of('applied'),
        of('applied', 'flag'),
        of('applied', 'resubmit-on-failure'),
        of('duplicate'),
        of('failed'),
        of('refused'),
        of('deferred'),
        of('dry-run'),
        of('dry-run'),
      ]),
    ).toEqual({ flagged: 2, resubmitted: 1, duplicates: 1, failed: 1, refused: 1, deferred: 1, planned: 2 });
  });
});
