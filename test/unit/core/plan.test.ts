import type { FleetView, PlanOptions } from '../../../lib/core/decision';
import { plan } from '../../../lib/core/plan';
import { POLICY_TAG } from '../../../lib/core/policy';
import { aChange, aDefinition, aFleet, aJob, aQueue, MINUTE, secret, ssm, T0 } from '../../support/builders';

const options: PlanOptions = { defaultPolicy: 'flag', staleMarginMs: 0, maxResubmitsPerChange: 25 };
const policy = (value: string) => ({ [POLICY_TAG]: value });
const ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret';

const outcomeOf = (fleet: FleetView, changes = [aChange()], opts = options) => {
  const result = plan(changes, fleet, opts);
  return [
    ...result.reactions.map((r) => `${r.jobId}:${r.action}:${r.reason}`),
    ...result.skipped.map((s) => `${s.jobId}:skip:${s.reason}`),
  ];
};

describe('plan', () => {
  it.each([
    ['a RUNNING job started before the change', { startedAt: T0 - MINUTE }, 'j:flag:stale'],
    ['a STARTING job', { status: 'STARTING', startedAt: undefined }, 'j:flag:stale'],
    ['a RUNNING job started after the change', { startedAt: T0 + MINUTE }, 'j:skip:started-after-change'],
    ['a RUNNABLE job', { status: 'RUNNABLE', startedAt: undefined }, 'j:skip:not-started'],
    ['a SUCCEEDED job', { status: 'SUCCEEDED' }, 'j:skip:finished'],
    ['a job tagged resubmit', { tags: policy('resubmit') }, 'j:resubmit:stale'],
    ['a job tagged resubmit-on-failure', { tags: policy('resubmit-on-failure') }, 'j:resubmit-on-failure:stale'],
    ['a job tagged ignore', { tags: policy('ignore') }, 'j:skip:policy-ignore'],
    [
      'a job with an unknown definition',
      { jobDefinition: 'arn:aws:batch:us-east-2:123456789012:job-definition/x:9' },
      'j:skip:definition-unknown',
    ],
  ])('decides %s', (_name, job, expected) => {
    expect(outcomeOf(aFleet({ jobs: [aJob({ jobId: 'j', ...job })] }))).toEqual([expected]);
  });

  it.each([
    ['a version-pinned parameter', '/prod/db/password:3', 'j:skip:pinned'],
    ['a label-pinned parameter', '/prod/db/password:blue', 'j:skip:pinned'],
    ['an unrelated parameter', '/prod/db/password2', undefined],
  ])('skips or ignores a job reading %s', (_name, valueFrom, expected) => {
    const fleet = aFleet({ definitions: [aDefinition([valueFrom])], jobs: [aJob({ jobId: 'j' })] });
    expect(outcomeOf(fleet)).toEqual(expected ? [expected] : []);
  });

  it('takes policy from job, then definition, then queue tags, then the default', () => {
    const fleet = aFleet({
      queues: [aQueue({ tags: policy('resubmit') })],
      definitions: [aDefinition(undefined, { tags: policy('ignore') }), aDefinition(undefined, { revision: 2 })],
      jobs: [
        aJob({ jobId: 'by-job', tags: policy('flag') }),
        aJob({ jobId: 'by-definition' }),
        aJob({ jobId: 'by-queue', jobDefinition: aDefinition(undefined, { revision: 2 }).jobDefinitionArn }),
      ],
    });
    expect(outcomeOf(fleet).sort()).toEqual([
      'by-definition:skip:policy-ignore',
      'by-job:flag:stale',
      'by-queue:resubmit:stale',
    ]);
    expect(
      outcomeOf(aFleet({ jobs: [aJob({ jobId: 'j' })] }), undefined, { ...options, defaultPolicy: 'resubmit' }),
    ).toEqual(['j:resubmit:stale']);
  });

  it('flags instead of resubmitting when the parameter was deleted', () => {
    const fleet = aFleet({ jobs: [aJob({ jobId: 'j', tags: policy('resubmit') })] });
    expect(outcomeOf(fleet, [aChange({ effect: { kind: 'deleted' } })])).toEqual(['j:flag:deleted']);
  });

  it('flags instead of resubmitting a job whose definition revision is INACTIVE (SubmitJob would be refused)', () => {
    const fleet = aFleet({
      definitions: [aDefinition(undefined, { status: 'INACTIVE' })],
      jobs: [aJob({ jobId: 'j', tags: policy('resubmit') })],
    });
    expect(outcomeOf(fleet)).toEqual(['j:flag:definition-inactive']);
  });

  it('lists each stale job once however many changes reach it, with every reference and the earliest change', () => {
    const fleet = aFleet({
      definitions: [aDefinition(['/prod/db/password', `${ARN}:prod/db`, 'prod/db/password'])],
      jobs: [aJob({ jobId: 'j', startedAt: T0 - 10 * MINUTE })],
    });
    const changes = [
      aChange({ changedAt: T0 - MINUTE }),
      aChange({ changedAt: T0 - 5 * MINUTE }),
      aChange({
        resource: secret('prod/db-AbCdEf'),
        kind: 'Secret Label Updated/AWSCURRENT',
        changedAt: T0 - 2 * MINUTE,
      }),
    ];
    const result = plan(changes, fleet, options);
    expect(result.reactions).toHaveLength(1);
    expect(result.reactions[0]).toMatchObject({
      jobId: 'j',
      staleSince: T0 - 2 * MINUTE,
      references: [
        { valueFrom: '/prod/db/password', location: 'containerProperties.secrets[0]' },
        { valueFrom: 'prod/db/password', location: 'containerProperties.secrets[2]' },
        { valueFrom: `${ARN}:prod/db`, location: 'containerProperties.secrets[1]' },
      ],
    });
    expect(result.changes).toHaveLength(2);
  });

  it('resubmits an array parent once for its stale children', () => {
    const fleet = aFleet({
      jobs: [
        aJob({ jobId: 'parent', status: 'PENDING', startedAt: undefined, tags: policy('resubmit') }),
        ...[0, 1, 2].map((i) =>
          aJob({
            jobId: `parent:${i}`,
            jobArn: `arn:aws:batch:us-east-2:123456789012:job/parent:${i}`,
            tags: policy('resubmit'),
          }),
        ),
      ],
    });
    const result = plan([aChange()], fleet, options);
    expect(result.skipped).toEqual([]);
    expect(result.reactions).toEqual([
      expect.objectContaining({
        jobId: 'parent',
        jobArn: 'arn:aws:batch:us-east-2:123456789012:job/parent',
        action: 'resubmit',
        childJobIds: ['parent:0', 'parent:1', 'parent:2'],
      }),
    ]);
  });

  it('flags array children one by one', () => {
    const fleet = aFleet({ jobs: [aJob({ jobId: 'parent:0' }), aJob({ jobId: 'parent:1' })] });
    expect(outcomeOf(fleet)).toEqual(['parent:0:flag:stale', 'parent:1:flag:stale']);
  });

  it('flags resubmissions over the blast-radius cap, oldest jobs resubmitted first', () => {
    const jobs = [3, 1, 2, 4].map((m) =>
      aJob({ jobId: `j${m}`, startedAt: T0 - m * MINUTE, tags: policy('resubmit') }),
    );
    expect(outcomeOf(aFleet({ jobs }), undefined, { ...options, maxResubmitsPerChange: 2 })).toEqual([
      'j4:resubmit:stale',
      'j3:resubmit:stale',
      'j2:flag:blast-radius',
      'j1:flag:blast-radius',
    ]);
  });

  it('matches a bare parameter name only in the fleet region', () => {
    const fleet = aFleet({ definitions: [aDefinition(['prod/db/password'])], jobs: [aJob({ jobId: 'j' })] });
    expect(outcomeOf(fleet, [aChange({ resource: ssm('/prod/db/password', { region: 'eu-west-1' }) })])).toEqual([]);
  });

  it('counts referencing and stale jobs per change', () => {
    const fleet = aFleet({ jobs: [aJob(), aJob({ startedAt: T0 + MINUTE }), aJob({ status: 'RUNNABLE' })] });
    expect(plan([aChange()], fleet, options).outcomes).toEqual([
      {
        change: expect.objectContaining({ resource: 'ssm:aws:us-east-2:123456789012:prod/db/password' }),
        referencingJobs: 3,
        staleJobs: 1,
      },
    ]);
  });

  it('reports invalid references and invalid policy tags', () => {
    const fleet = aFleet({
      definitions: [aDefinition(['/prod/db/password', 'arn:aws:s3:::x'])],
      jobs: [aJob({ jobId: 'j', tags: policy('restart') })],
    });
    const result = plan([aChange()], fleet, options);
    expect(result.invalidReferences).toEqual([
      expect.objectContaining({ location: 'containerProperties.secrets[1]', valueFrom: 'arn:aws:s3:::x' }),
    ]);
    expect(result.warnings).toEqual([expect.stringContaining('j: job tag rotation-reactor:policy="restart"')]);
  });

  it('uses the job detail spec when the definition is not in the fleet', () => {
    const job = aJob({
      jobId: 'j',
      jobDefinition: 'arn:aws:batch:us-east-2:123456789012:job-definition/gone:1',
      container: { secrets: [{ name: 'A', valueFrom: '/prod/db/password' }] },
    });
    expect(outcomeOf(aFleet({ jobs: [job] }))).toEqual(['j:flag:stale']);
  });

  it('does nothing for changes without effect', () => {
    expect(outcomeOf(aFleet({ jobs: [aJob()] }), [aChange({ effect: { kind: 'none', why: 'notification' } })])).toEqual(
      [],
    );
  });
});
