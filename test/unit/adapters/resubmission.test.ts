import fc from 'fast-check';
import {
  MAX_SUBMIT_TAGS,
  toCopyObstacle,
  toReplacementTagCount,
  toResubmission,
} from '../../../lib/adapters/resubmission';
import { NotResubmittableError } from '../../../lib/core/errors';
import type { BatchJob } from '../../../lib/core/fleet';
import { REPLACES_TAG, STALE_REF_TAG, STALE_SINCE_TAG } from '../../../lib/core/keys';
import { aJob } from '../../support/builders';

const userTags = (count: number, prefix = 'k') =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, `v${i}`]));

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
        taskArn: 'arn:aws:ecs:us-east-2:123456789012:task/c/1',
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
      consumableResourceProperties: { consumableResourceList: [{ consumableResource: 'licence', quantity: 2 }] },
      dependsOn: [{ jobId: 'finished-upstream' }],
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
      consumableResourcePropertiesOverride: {
        consumableResourceList: [{ consumableResource: 'licence', quantity: 2 }],
      },
    });
  });

  it('resubmits an array parent with its size', () => {
    const request = toResubmission(aJob({ jobId: 'p', arrayProperties: { size: 50, statusSummary: { RUNNING: 2 } } }));
    expect(request.arrayProperties).toEqual({ size: 50 });
  });

  const upstream = { jobId: 'upstream' };
  const sequential = { type: 'SEQUENTIAL' };
  const nToN = { jobId: 'other-array', type: 'N_TO_N' };
  const idSequential = { jobId: 'upstream', type: 'SEQUENTIAL' };
  const notStarted = { status: 'PENDING', startedAt: undefined };
  it.each<[string, Partial<BatchJob>, unknown[], unknown[] | undefined]>([
    ['keeps a SEQUENTIAL self-dependency', {}, [sequential], [sequential]],
    ['keeps an N_TO_N dependency', {}, [nToN], [nToN]],
    ['drops a plain dependency of a RUNNING job (it has succeeded)', {}, [upstream], undefined],
    ['drops a plain dependency of a STARTING job', { status: 'STARTING', startedAt: undefined }, [upstream], undefined],
    ['drops a job-id dependency typed SEQUENTIAL of a started job', {}, [idSequential], undefined],
    ['keeps a plain dependency of a job that has not started', notStarted, [upstream], [upstream]],
    [
      'drops a plain dependency of an array parent whose children run',
      { ...notStarted, arrayProperties: { size: 2, statusSummary: { PENDING: 1, RUNNING: 1 } } },
      [upstream],
      undefined,
    ],
    [
      'keeps a plain dependency of an array parent whose children all wait',
      { ...notStarted, arrayProperties: { size: 2, statusSummary: { PENDING: 2, RUNNING: 0 } } },
      [upstream],
      [upstream],
    ],
    ['keeps the ordering dependencies of a mix', {}, [upstream, sequential, nToN], [sequential, nToN]],
    ['sends no dependsOn for an empty list', {}, [], undefined],
  ])('%s', (_name, overrides, dependsOn, expected) => {
    expect(toResubmission(aJob({ ...overrides, dependsOn })).dependsOn).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown> | undefined]>([
    [
      'copies legacy vcpus and memory when no requirement sets them',
      { vcpus: 2, memory: 1024 },
      { vcpus: 2, memory: 1024 },
    ],
    [
      'copies legacy vcpus and memory beside an empty requirement list',
      { vcpus: 2, memory: 1024, resourceRequirements: [] },
      { vcpus: 2, memory: 1024 },
    ],
    [
      'sends only the requirements when both types are set there (vcpus/memory cannot override them)',
      {
        vcpus: 2,
        memory: 1024,
        resourceRequirements: [
          { type: 'VCPU', value: '4' },
          { type: 'MEMORY', value: '8192' },
        ],
      },
      {
        resourceRequirements: [
          { type: 'VCPU', value: '4' },
          { type: 'MEMORY', value: '8192' },
        ],
      },
    ],
    [
      'keeps legacy memory when only VCPU is a requirement',
      { vcpus: 2, memory: 1024, resourceRequirements: [{ type: 'VCPU', value: '4' }] },
      { memory: 1024, resourceRequirements: [{ type: 'VCPU', value: '4' }] },
    ],
    ['ignores zero vcpus and memory', { vcpus: 0, memory: 0 }, undefined],
    ['never sends instanceType for a single-node job', { instanceType: 'm5.large' }, undefined],
    ['omits empty command and environment lists', { command: [], environment: [] }, undefined],
  ])('%s', (_name, container, expected) => {
    expect(toResubmission(aJob({ container: { image: 'x', ...container } })).containerOverrides).toEqual(expected);
  });

  it('overrides each ECS container by name, and no single-container override', () => {
    const job = aJob({
      ecsProperties: {
        taskProperties: [
          {
            taskArn: 'arn:aws:ecs:us-east-2:123456789012:task/c/1',
            containers: [
              {
                name: 'app',
                image: 'app',
                command: ['serve'],
                environment: [
                  { name: 'AWS_BATCH_JOB_ID', value: 'x' },
                  { name: 'MODE', value: 'fast' },
                ],
                resourceRequirements: [{ type: 'MEMORY', value: '512' }],
                essential: true,
              },
              { name: 'sidecar', image: 'sidecar', environment: [{ name: 'AWS_BATCH_JOB_ID', value: 'x' }] },
            ],
          },
        ],
      },
      container: {},
    });
    const request = toResubmission(job);
    expect(request.containerOverrides).toBeUndefined();
    expect(request.ecsPropertiesOverride).toEqual({
      taskProperties: [
        {
          containers: [
            {
              name: 'app',
              command: ['serve'],
              environment: [{ name: 'MODE', value: 'fast' }],
              resourceRequirements: [{ type: 'MEMORY', value: '512' }],
            },
            { name: 'sidecar' },
          ],
        },
      ],
    });
  });

  it('overrides every node range of a multi-node job with its own targetNodes', () => {
    const job = aJob({
      nodeProperties: {
        numNodes: 4,
        mainNode: 0,
        nodeRangeProperties: [
          {
            targetNodes: '0',
            container: {
              image: 'main',
              command: ['lead'],
              environment: [{ name: 'AWS_BATCH_JOB_NODE_INDEX', value: '0' }],
            },
          },
          {
            targetNodes: '1:',
            container: {
              image: 'worker',
              command: ['work'],
              environment: [{ name: 'ROLE', value: 'worker' }],
              resourceRequirements: [{ type: 'GPU', value: '1' }],
              vcpus: 8,
              memory: 16384,
              instanceType: 'p3.2xlarge',
            },
            instanceTypes: ['p3.2xlarge'],
            consumableResourceProperties: { consumableResourceList: [{ consumableResource: 'seat', quantity: 3 }] },
          },
          { targetNodes: '2:2', container: { image: 'idle' } },
        ],
      },
    });
    expect(toResubmission(job).nodeOverrides).toEqual({
      numNodes: 4,
      nodePropertyOverrides: [
        { targetNodes: '0', containerOverrides: { command: ['lead'] } },
        {
          targetNodes: '1:',
          containerOverrides: {
            vcpus: 8,
            memory: 16384,
            command: ['work'],
            instanceType: 'p3.2xlarge',
            environment: [{ name: 'ROLE', value: 'worker' }],
            resourceRequirements: [{ type: 'GPU', value: '1' }],
          },
          instanceTypes: ['p3.2xlarge'],
          consumableResourcePropertiesOverride: {
            consumableResourceList: [{ consumableResource: 'seat', quantity: 3 }],
          },
        },
      ],
    });
    expect(toResubmission(job).containerOverrides).toBeUndefined();
  });

  it('overrides the ECS containers of each node range by name', () => {
    const job = aJob({
      nodeProperties: {
        numNodes: 2,
        mainNode: 0,
        nodeRangeProperties: [
          {
            targetNodes: '0:1',
            ecsProperties: { taskProperties: [{ containers: [{ name: 'a', image: 'a', command: ['go'] }] }] },
          },
        ],
      },
    });
    expect(toResubmission(job).nodeOverrides).toEqual({
      nodePropertyOverrides: [
        {
          targetNodes: '0:1',
          ecsPropertiesOverride: { taskProperties: [{ containers: [{ name: 'a', command: ['go'] }] }] },
        },
      ],
    });
  });

  it.each([
    ['an open-ended node range', '0:', { numNodes: 4 }],
    ['an open range', ':', { numNodes: 4 }],
    ['fixed node ranges only', '0:3', undefined],
  ])('overrides numNodes of a multi-node job only with %s', (_name, targetNodes, expected) => {
    const job = aJob({ nodeProperties: { numNodes: 4, mainNode: 0, nodeRangeProperties: [{ targetNodes }] } });
    expect(toResubmission(job).nodeOverrides).toEqual(expected);
  });

  it.each<[string, BatchJob, RegExp]>([
    ['an array child', aJob({ jobId: 'parent:3' }), /array child or multi-node node/],
    ['a multi-node node', aJob({ jobId: 'main#1' }), /array child or multi-node node/],
    ['a job whose copy would carry 51 tags', aJob({ tags: userTags(50) }), /51 tags.*at most 50/],
    ['an EKS job', aJob({ eksProperties: { podProperties: { containers: [{ name: 'c' }] } } }), /EKS/],
    [
      'a multi-node job with an EKS node range',
      aJob({ nodeProperties: { numNodes: 2, nodeRangeProperties: [{ targetNodes: '0:', eksProperties: {} }] } }),
      /EKS/,
    ],
    ['a command with an empty string', aJob({ container: { command: ['run', ''] } }), /empty string/],
    [
      'an ECS container command with an empty string',
      aJob({ ecsProperties: { taskProperties: [{ containers: [{ name: 'a', command: [''] }] }] } }),
      /empty string/,
    ],
    [
      'a request over the 30 KiB SubmitJob payload limit',
      aJob({ container: { environment: [{ name: 'BLOB', value: 'x'.repeat(31 * 1024) }] } }),
      /bytes; Batch accepts at most 30720/,
    ],
  ])('refuses %s with a NotResubmittableError that is not retried', (_name, job, reason) => {
    expect(toCopyObstacle(job)).toMatch(reason);
    let thrown: unknown;
    try {
      toResubmission(job);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(NotResubmittableError);
    expect(thrown).toMatchObject({
      name: 'NotResubmittableError',
      retryable: false,
      message: expect.stringMatching(reason),
    });
  });

  it('accepts the same jobs when they are copyable', () => {
    expect(toCopyObstacle(aJob({ tags: userTags(49) }))).toBeUndefined();
    expect(toCopyObstacle(aJob({ container: { command: ['run'] } }))).toBeUndefined();
  });

  it('never sends more than 50 tags, never aws: or flag tags, always the lineage tag', () => {
    const key = fc.oneof(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.constantFrom(STALE_SINCE_TAG, STALE_REF_TAG, REPLACES_TAG, 'aws:cloudformation:stack-name', 'AWS:x'),
    );
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ maxLength: 8 }), { minKeys: 40, maxKeys: 60 }), (tags) => {
        const job = aJob({ jobId: 'stale-1', tags });
        let request: ReturnType<typeof toResubmission>;
        try {
          request = toResubmission(job);
        } catch (error) {
          expect(error).toBeInstanceOf(NotResubmittableError);
          expect(toReplacementTagCount(job)).toBeGreaterThan(MAX_SUBMIT_TAGS);
          outcomes.add('refused');
          return;
        }
        const sent = Object.keys(request.tags ?? {});
        expect(sent.length).toBe(toReplacementTagCount(job));
        expect(sent.length).toBeLessThanOrEqual(MAX_SUBMIT_TAGS);
        expect(request.tags?.[REPLACES_TAG]).toBe('stale-1');
        outcomes.add('copied');
        expect(
          sent.filter((k) => k.toLowerCase().startsWith('aws:') || k === STALE_SINCE_TAG || k === STALE_REF_TAG),
        ).toEqual([]);
      }),
    );
    expect([...outcomes].sort()).toEqual(['copied', 'refused']);
  });
});

describe('toReplacementTagCount', () => {
  it.each([
    ['no tags', 1, {}],
    ['49 user tags', 50, userTags(49)],
    ['50 user tags', 51, userTags(50)],
    ['48 user tags and both flag tags', 49, { ...userTags(48), [STALE_SINCE_TAG]: 't', [STALE_REF_TAG]: '/p' }],
    ['49 user tags and an aws: tag', 50, { ...userTags(49), 'aws:batch:x': 'y' }],
    ['a replacement of a replacement (its lineage tag is replaced)', 50, { ...userTags(49), [REPLACES_TAG]: 'older' }],
  ])('counts %s as %i', (_name, expected, tags) => {
    expect(toReplacementTagCount(aJob({ tags }))).toBe(expected);
  });
});
