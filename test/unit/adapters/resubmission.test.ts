import { toResubmission } from '../../../lib/adapters/resubmission';
import { aJob } from '../../support/builders';

describe('toResubmission', () => {
  it('copies a container job faithfully, as overrides, with lineage and without AWS_BATCH variables', () => {
    const job = aJob({
      jobId: 'old-1',
      jobName: 'nightly',
      jobQueue: 'arn:aws:batch:us-east-2:123456789012:job-queue/q',
      jobDefinition: 'arn:aws:batch:us-east-2:123456789012:job-definition/etl:3',
      parameters: { day: '2026-11-28' },
      container: {
        image: 'busybox',
        command: ['run', 'Ref::day'],
        environment: [
          { name: 'STAGE', value: 'prod' },
          { name: 'AWS_BATCH_JOB_ID', value: 'old-1' },
          { name: 'AWS_BATCH_CE_NAME', value: 'ce' },
        ],
        resourceRequirements: [{ type: 'VCPU', value: '2' }],
        secrets: [{ name: 'DB', valueFrom: '/prod/db' }],
      },
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onExitCode: '1', action: 'RETRY' }] },
      timeout: { attemptDurationSeconds: 600 },
      tags: {
        team: 'data',
        'rotation-reactor:policy': 'resubmit',
        'rotation-reactor:stale-since': '2026-11-28T12:00:00.000Z',
        'rotation-reactor:stale-ref': '/prod/db',
        'aws:batch:internal': 'x',
      },
      propagateTags: true,
      shareIdentifier: 'blue',
      schedulingPriority: 7,
      dependsOn: [{ jobId: 'gone' }],
    });
    expect(toResubmission(job)).toEqual({
      jobName: 'nightly',
      jobQueue: 'arn:aws:batch:us-east-2:123456789012:job-queue/q',
      jobDefinition: 'arn:aws:batch:us-east-2:123456789012:job-definition/etl:3',
      parameters: { day: '2026-11-28' },
      containerOverrides: {
        command: ['run', 'Ref::day'],
        environment: [{ name: 'STAGE', value: 'prod' }],
        resourceRequirements: [{ type: 'VCPU', value: '2' }],
      },
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onExitCode: '1', action: 'RETRY' }] },
      timeout: { attemptDurationSeconds: 600 },
      tags: { team: 'data', 'rotation-reactor:policy': 'resubmit', 'rotation-reactor:replaces': 'old-1' },
      propagateTags: true,
      shareIdentifier: 'blue',
      schedulingPriorityOverride: 7,
    });
  });

  it('resubmits an array parent with its size', () => {
    const request = toResubmission(aJob({ jobId: 'p', arrayProperties: { size: 50, statusSummary: { RUNNING: 2 } } }));
    expect(request.arrayProperties).toEqual({ size: 50 });
  });

  it('overrides each ECS container by name', () => {
    const job = aJob({
      ecsProperties: {
        taskProperties: [
          {
            containers: [
              { name: 'app', command: ['serve'], environment: [{ name: 'AWS_BATCH_JOB_ID', value: 'x' }] },
              { name: 'sidecar' },
            ],
          },
        ],
      },
      container: {},
    });
    const request = toResubmission(job);
    expect(request.containerOverrides).toBeUndefined();
    expect(request.ecsPropertiesOverride).toEqual({
      taskProperties: [{ containers: [{ name: 'app', command: ['serve'], environment: [] }, { name: 'sidecar' }] }],
    });
  });

  it.each([
    ['an open-ended node range', '0:', { numNodes: 4 }],
    ['fixed node ranges only', '0:3', undefined],
  ])('overrides numNodes of a multi-node job only with %s', (_name, targetNodes, expected) => {
    const job = aJob({ nodeProperties: { numNodes: 4, mainNode: 0, nodeRangeProperties: [{ targetNodes }] } });
    expect(toResubmission(job).nodeOverrides).toEqual(expected);
  });
});
