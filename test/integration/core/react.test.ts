import { readFileSync } from 'node:fs';
import type { FleetSnapshot } from '../../../lib/core/fleet';
import { POLICY_TAG } from '../../../lib/core/policy';
import { reactToEvents } from '../../../lib/core/react';
import { aDefinition, aJob, ETL, MINUTE, QUEUE, T0 } from '../../support/builders';
import { startLocalReactor } from '../../support/reactor';

const update = JSON.parse(readFileSync('events/ssm/parameter-store-change.update.json', 'utf8'));
const policy = (value: string) => ({ [POLICY_TAG]: value });
const queue = QUEUE;
const etl = ETL;
const pinned = aDefinition(['/prod/db/password:3'], { jobDefinitionName: 'pinned' });
const job = (jobId: string, overrides: Parameters<typeof aJob>[0] = {}) =>
  aJob({ jobId, jobName: jobId, jobQueue: queue.jobQueueArn, jobDefinition: etl.jobDefinitionArn, ...overrides });

const fleet: FleetSnapshot = {
  region: 'us-east-2',
  account: '123456789012',
  jobQueues: [queue],
  jobDefinitions: [etl, pinned],
  jobs: [
    job('stale-flag'),
    job('stale-resubmit', {
      tags: { ...policy('resubmit'), team: 'data' },
      parameters: { day: '2026-11-28' },
      container: {
        image: 'busybox',
        command: ['etl', 'Ref::day'],
        environment: [
          { name: 'STAGE', value: 'prod' },
          { name: 'AWS_BATCH_JOB_ID', value: 'stale-resubmit' },
        ],
        resourceRequirements: [{ type: 'VCPU', value: '1' }],
        secrets: [{ name: 'DB', valueFrom: '/prod/db/password' }],
      },
      retryStrategy: { attempts: 2 },
      timeout: { attemptDurationSeconds: 3600 },
    }),
    job('fresh', { startedAt: T0 + 10 * MINUTE }),
    job('queued', { status: 'RUNNABLE', startedAt: undefined }),
    job('pinned', { jobDefinition: pinned.jobDefinitionArn }),
    job('ignored', { tags: policy('ignore') }),
  ],
};

const inputs = [{ source: 'msg-1', event: update }];

describe('reactToEvents (real SDK clients → sandbox, ledger on dynalite)', () => {
  let local: Awaited<ReturnType<typeof startLocalReactor>>;
  beforeEach(async () => {
    local = await startLocalReactor(fleet);
  });
  afterEach(async () => {
    await local.stop();
  });

  it('flags, resubmits (submit, then terminate), skips, records and reports', async () => {
    const { sandbox, reactor } = local;
    const report = await reactToEvents(inputs, reactor.deps, reactor.options);

    expect(report.outcomes.map((o) => [o.reaction.jobId, o.reaction.action, o.status]).sort()).toEqual([
      ['stale-flag', 'flag', 'applied'],
      ['stale-resubmit', 'resubmit', 'applied'],
    ]);
    expect(Object.fromEntries(report.plan.skipped.map((s) => [s.jobId, s.reason]))).toEqual({
      fresh: 'started-after-change',
      pinned: 'pinned',
      ignored: 'policy-ignore',
    });

    expect(sandbox.job('stale-flag')?.tags).toMatchObject({
      'rotation-reactor:stale-since': '2026-11-28T12:00:00.000Z',
      'rotation-reactor:stale-ref': '/prod/db/password',
    });
    expect(sandbox.submissions()).toEqual([
      {
        jobName: 'stale-resubmit',
        jobQueue: queue.jobQueueArn,
        jobDefinition: etl.jobDefinitionArn,
        parameters: { day: '2026-11-28' },
        containerOverrides: {
          command: ['etl', 'Ref::day'],
          environment: [{ name: 'STAGE', value: 'prod' }],
          resourceRequirements: [{ type: 'VCPU', value: '1' }],
        },
        retryStrategy: { attempts: 2 },
        timeout: { attemptDurationSeconds: 3600 },
        tags: {
          ...policy('resubmit'),
          team: 'data',
          'rotation-reactor:replaces': 'stale-resubmit@2026-11-28T12:00:00.000Z',
        },
      },
    ]);
    const replacementId = report.outcomes.find((o) => o.reaction.jobId === 'stale-resubmit')?.replacementJobId;
    expect(sandbox.job(replacementId!)).toMatchObject({ jobName: 'stale-resubmit', status: 'SUBMITTED' });
    expect(sandbox.job('stale-resubmit')).toMatchObject({
      status: 'FAILED',
      statusReason: expect.stringContaining(`replaced by ${replacementId}`),
    });
    const writes = sandbox
      .requests()
      .map((r) => r.operation)
      .filter((op) => op === 'SubmitJob' || op === 'TerminateJob');
    expect(writes).toEqual(['SubmitJob', 'TerminateJob']);

    expect(sandbox.countsByOperation()).toEqual({
      DescribeJobQueues: 1,
      // RUNNING, STARTING and PENDING (array parents) to discover; PENDING once more, only because a resubmission is
      // planned: does any job wait on the one about to be terminated?
      ListJobs: 4,
      DescribeJobDefinitions: 1,
      DescribeJobs: 1,
      TagResource: 1,
      SubmitJob: 1,
      TerminateJob: 1,
      PutEvents: 1,
    });

    const ledger = reactor.deps.ledger;
    expect(await ledger.entriesOf('stale-resubmit')).toEqual([
      expect.objectContaining({
        slot: 'resubmit',
        state: 'done',
        action: 'resubmit',
        replacementJobId: replacementId,
        attempts: 1,
      }),
    ]);
    expect((await ledger.staleInventory()).map((e) => e.jobId)).toEqual(['stale-flag']);

    const events = sandbox.events();
    expect(events.map((e) => e.detailType).sort()).toEqual([
      'Change Processed',
      'Job Resubmitted',
      'Stale Job Flagged',
    ]);
    expect(events.every((e) => e.source === 'rotation-reactor')).toBe(true);
    expect(events.find((e) => e.detailType === 'Change Processed')?.detail).toMatchObject({
      resource: 'ssm:aws:us-east-2:123456789012:prod/db/password',
      counts: {
        referencingJobs: 5,
        staleJobs: 3,
        flagged: 1,
        resubmitted: 1,
        failed: 0,
        skipped: { 'started-after-change': 1, pinned: 1, 'policy-ignore': 1 },
      },
    });
  });

  it('acts once when the same change is delivered again', async () => {
    const { sandbox, reactor } = local;
    await reactToEvents(inputs, reactor.deps, reactor.options);
    const second = await reactToEvents([...inputs, { source: 'msg-2', event: update }], reactor.deps, reactor.options);
    expect(second.outcomes.map((o) => [o.reaction.jobId, o.status])).toEqual([['stale-flag', 'duplicate']]);
    expect(sandbox.countsByOperation()).toMatchObject({ SubmitJob: 1, TerminateJob: 1, TagResource: 1 });
  });

  it('changes nothing in dry-run', async () => {
    const { sandbox, reactor } = local;
    const report = await reactToEvents(inputs, reactor.deps, { ...reactor.options, mode: 'dry-run' });
    expect(report.outcomes.map((o) => o.status)).toEqual(['dry-run', 'dry-run']);
    const counts = sandbox.countsByOperation();
    for (const write of ['TagResource', 'SubmitJob', 'TerminateJob']) expect(counts[write]).toBeUndefined();
    expect(await reactor.deps.ledger.listSince(0)).toEqual([]);
    expect(sandbox.events().map((e) => e.detailType)).toEqual(['Change Processed']);
  });

  it('flags resubmissions over the blast-radius cap', async () => {
    const { reactor } = local;
    const report = await reactToEvents(inputs, reactor.deps, {
      ...reactor.options,
      plan: { ...reactor.options.plan, maxResubmitsPerChange: 0 },
    });
    expect(report.outcomes.find((o) => o.reaction.jobId === 'stale-resubmit')?.reaction).toMatchObject({
      action: 'flag',
      reason: 'blast-radius',
    });
    expect(local.sandbox.submissions()).toEqual([]);
  });

  it('retries only the record whose action failed, and the retry completes it', async () => {
    const { sandbox, reactor } = local;
    sandbox.setFaults({ serverErrorRate: 1, operations: ['SubmitJob'] });
    const withOther = [...inputs, { source: 'msg-bad', event: { not: 'an event' } }];
    const first = await reactToEvents(withOther, reactor.deps, { ...reactor.options });
    expect(first.failedSources).toEqual(['msg-1']);
    expect(first.rejected).toEqual([{ source: 'msg-bad', reason: expect.any(String) }]);
    expect(sandbox.events().map((e) => e.detailType)).toContain('Job Action Failed');
    sandbox.setFaults({});
    const retry = await reactToEvents(inputs, reactor.deps, reactor.options);
    expect(retry.failedSources).toEqual([]);
    expect(retry.outcomes.find((o) => o.reaction.jobId === 'stale-resubmit')?.status).toBe('applied');
    expect(sandbox.submissions()).toHaveLength(1);
  });

  it('lists the children of an array job only when a change reaches its definition', async () => {
    const other = aDefinition(['/unrelated/parameter'], { jobDefinitionName: 'other' });
    const array = (id: string, definition: typeof etl) => [
      job(id, {
        jobDefinition: definition.jobDefinitionArn,
        status: 'PENDING',
        startedAt: undefined,
        arrayProperties: { size: 2 },
      }),
      ...[0, 1].map((i) =>
        job(`${id}:${i}`, { jobName: id, jobDefinition: definition.jobDefinitionArn, arrayProperties: { index: i } }),
      ),
    ];
    const arrays = await startLocalReactor({
      ...fleet,
      jobDefinitions: [etl, other],
      jobs: [...array('reached', etl), ...array('unrelated', other)],
    });
    try {
      const report = await reactToEvents(inputs, arrays.reactor.deps, arrays.reactor.options);
      // 3 per queue (RUNNING, STARTING, PENDING) + 2 for the children of the one array a change reaches.
      expect(arrays.sandbox.countsByOperation().ListJobs).toBe(5);
      expect(report.plan.reactions.map((r) => r.jobId).sort()).toEqual(['reached:0', 'reached:1']);
    } finally {
      await arrays.stop();
    }
  });
});

describe('reactToEvents with jobs that depend on a stale job', () => {
  it('flags (never terminates) a stale job that pending jobs still wait on, and resubmits the others', async () => {
    const local = await startLocalReactor({
      ...fleet,
      jobs: [
        job('upstream', { tags: policy('resubmit') }),
        job('alone', { tags: policy('resubmit') }),
        job('downstream', { status: 'PENDING', startedAt: undefined, dependsOn: [{ jobId: 'upstream' }] }),
      ],
    });
    try {
      const report = await reactToEvents(inputs, local.reactor.deps, local.reactor.options);
      expect(
        report.outcomes.map((o) => [o.reaction.jobId, o.reaction.action, o.reaction.reason, o.status]).sort(),
      ).toEqual([
        ['alone', 'resubmit', 'stale', 'applied'],
        ['upstream', 'flag', 'has-dependents', 'applied'],
      ]);
      expect(local.sandbox.job('upstream')).toMatchObject({ status: 'RUNNING' });
      expect(local.sandbox.job('downstream')).toMatchObject({ status: 'PENDING' });
    } finally {
      await local.stop();
    }
  });
});
