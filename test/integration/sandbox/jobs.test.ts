import {
  CancelJobCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  ListTagsForResourceCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  type SubmitJobCommandInput,
  TagResourceCommand,
  TerminateJobCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-batch';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { batchClientFor, loadMiniFleet, rejectionOf } from '../../support/sandbox';

const T0 = 1_767_225_600_000;
const START = T0 + 86_400_000;
const definitionArn = (name: string) => `arn:aws:batch:us-east-2:123456789012:job-definition/${name}`;
const fleetJob = (n: number) => `5a4d0b1e-0000-4000-8000-${String(n).padStart(12, '0')}`;

let sandbox: Sandbox;
let batch: ReturnType<typeof batchClientFor>;

beforeAll(async () => {
  sandbox = await startSandbox({ fleet: loadMiniFleet(), clock: 'manual', startTime: START, dynamodb: false });
  batch = batchClientFor(sandbox);
});

afterAll(async () => {
  batch.destroy();
  await sandbox.stop();
});

const submit = (input: Partial<SubmitJobCommandInput> = {}) =>
  batch.send(new SubmitJobCommand({ jobName: 'job', jobQueue: 'mini-prod', jobDefinition: 'mini-app', ...input }));

const describe1 = async (jobId: string) => (await batch.send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs?.[0];

describe('SubmitJob', () => {
  it('returns jobArn, jobName and jobId and records the raw request', async () => {
    const before = sandbox.submissions().length;
    const response = await submit({ jobName: 'hello' });
    expect(response.jobArn).toBe(`arn:aws:batch:us-east-2:123456789012:job/${response.jobId}`);
    expect(response.jobName).toBe('hello');
    expect(sandbox.submissions().slice(before)).toEqual([
      { jobName: 'hello', jobQueue: 'mini-prod', jobDefinition: 'mini-app' },
    ]);
  });

  it('merges the definition with containerOverrides and keeps the resubmission fields', async () => {
    const { jobId } = await submit({
      jobDefinition: definitionArn('mini-app:2'),
      parameters: { day: 'monday' },
      containerOverrides: {
        command: ['sh', '-c', 'again'],
        environment: [
          { name: 'STAGE', value: 'staging' },
          { name: 'EXTRA', value: '1' },
        ],
        resourceRequirements: [{ type: 'MEMORY', value: '4096' }],
      },
      retryStrategy: { attempts: 3 },
      timeout: { attemptDurationSeconds: 120 },
      schedulingPriorityOverride: 7,
      propagateTags: true,
      tags: { 'rotation-reactor:replaces': 'old-job' },
    });
    const job = await describe1(jobId!);
    expect(job).toMatchObject({
      jobId,
      jobName: 'job',
      jobQueue: 'arn:aws:batch:us-east-2:123456789012:job-queue/mini-prod',
      jobDefinition: definitionArn('mini-app:2'),
      status: 'SUBMITTED',
      createdAt: START,
      parameters: { day: 'monday' },
      retryStrategy: { attempts: 3 },
      timeout: { attemptDurationSeconds: 120 },
      schedulingPriority: 7,
      propagateTags: true,
      tags: { 'rotation-reactor:replaces': 'old-job' },
      container: {
        image: 'public.ecr.aws/docker/library/busybox:stable',
        command: ['sh', '-c', 'again'],
        environment: [
          { name: 'STAGE', value: 'staging' },
          { name: 'EXTRA', value: '1' },
        ],
        resourceRequirements: [
          { type: 'VCPU', value: '1' },
          { type: 'MEMORY', value: '4096' },
        ],
        secrets: loadMiniFleet().jobDefinitions[1].containerProperties?.secrets,
      },
    });
    expect(job?.startedAt).toBeUndefined();
  });

  it('resolves name:revision, a revision ARN, and a bare name to the latest ACTIVE revision', async () => {
    for (const [ref, expected] of [
      ['mini-app:2', 'mini-app:2'],
      [definitionArn('mini-app:2'), 'mini-app:2'],
      ['mini-app', 'mini-app:2'],
      [definitionArn('mini-app'), 'mini-app:2'],
    ]) {
      const { jobId } = await submit({ jobDefinition: ref });
      expect((await describe1(jobId!))?.jobDefinition).toBe(definitionArn(expected));
    }
  });

  it.each([
    ['an INACTIVE revision', { jobDefinition: 'mini-app:1' }, /not in ACTIVE status/],
    ['an unknown definition', { jobDefinition: 'nope' }, /does not exist/],
    ['an unknown queue', { jobQueue: 'nope' }, /Job queue nope does not exist/],
    ['a DISABLED queue', { jobQueue: 'mini-disabled' }, /not in ENABLED state/],
    ['a fair-share queue without shareIdentifier', { jobQueue: 'mini-fair' }, /shareIdentifier must be specified/],
    ['shareIdentifier on a plain queue', { shareIdentifier: 'blue' }, /shareIdentifier can't be specified/],
    ['an invalid job name', { jobName: '-bad name' }, /jobName/],
    [
      'an AWS_BATCH environment variable',
      { containerOverrides: { environment: [{ name: 'AWS_BATCH_JOB_ID', value: 'x' }] } },
      /cannot start with AWS_BATCH/,
    ],
    ['an empty command part', { containerOverrides: { command: ['run', ''] } }, /non-empty strings/],
    ['an array of size 1', { arrayProperties: { size: 1 } }, /between 2 and 10000/],
    ['an array of size 10001', { arrayProperties: { size: 10_001 } }, /between 2 and 10000/],
    ['51 tags', { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, /at most 50 tags/],
    ['an aws: tag', { tags: { 'aws:owner': 'me' } }, /reserved prefix/],
    ['a timeout under 60 s', { timeout: { attemptDurationSeconds: 10 } }, /attemptDurationSeconds/],
    ['nodeOverrides on a container definition', { nodeOverrides: { numNodes: 3 } }, /multi-node/],
  ])('rejects %s with a ClientException', async (_, input, message) => {
    const error = await rejectionOf(submit(input as Partial<SubmitJobCommandInput>));
    expect(error.name).toBe('ClientException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
  });

  it('accepts shareIdentifier on a fair-share queue', async () => {
    const { jobId } = await submit({ jobQueue: 'mini-fair', shareIdentifier: 'blue' });
    expect((await describe1(jobId!))?.shareIdentifier).toBe('blue');
  });

  it('creates array children <id>:<i>, listed by arrayJobId only', async () => {
    const { jobId } = await submit({ arrayProperties: { size: 3 } });
    const parent = await describe1(jobId!);
    expect(parent?.arrayProperties).toEqual({
      size: 3,
      statusSummary: { SUBMITTED: 0, PENDING: 3, RUNNABLE: 0, STARTING: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0 },
    });
    const child = await describe1(`${jobId}:2`);
    expect(child).toMatchObject({ jobId: `${jobId}:2`, status: 'PENDING', arrayProperties: { index: 2 } });
    const { jobSummaryList } = await batch.send(new ListJobsCommand({ arrayJobId: jobId, jobStatus: 'PENDING' }));
    expect(jobSummaryList?.map((job) => job.jobId)).toEqual([0, 1, 2].map((i) => `${jobId}:${i}`));
  });

  it('creates multi-node nodes <id>#<n> with nodeOverrides applied', async () => {
    const { jobId } = await submit({
      jobDefinition: 'mini-mnp',
      nodeOverrides: {
        numNodes: 3,
        nodePropertyOverrides: [
          { targetNodes: '0:', containerOverrides: { environment: [{ name: 'N', value: '3' }] } },
        ],
      },
    });
    const main = await describe1(jobId!);
    expect(main?.nodeProperties?.numNodes).toBe(3);
    const node = await describe1(`${jobId}#2`);
    expect(node?.nodeDetails).toEqual({ nodeIndex: 2, isMainNode: false });
    expect(node?.container?.environment).toContainEqual({ name: 'N', value: '3' });
    const nodes = await batch.send(new ListJobsCommand({ multiNodeJobId: jobId, jobStatus: 'SUBMITTED' }));
    expect(nodes.jobSummaryList).toHaveLength(3);
  });

  it('fails the job when propagated tags exceed 50', async () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const { jobId } = await submit({ jobDefinition: 'mini-app:2', propagateTags: true, tags });
    expect(await describe1(jobId!)).toMatchObject({ status: 'FAILED', statusReason: expect.stringMatching(/Tags/) });
  });
});

describe('SubmitJob: what DescribeJobs returns for the fields a copy carries', () => {
  const fleetJobId = fleetJob(1);

  it('keeps dependsOn (plain, SEQUENTIAL, N_TO_N) on an array parent and its children', async () => {
    const upstream = await submit({ arrayProperties: { size: 2 } });
    const dependsOn = [
      { jobId: fleetJobId },
      { type: 'SEQUENTIAL' as const },
      { jobId: upstream.jobId, type: 'N_TO_N' as const },
    ];
    const { jobId } = await submit({ arrayProperties: { size: 2 }, dependsOn });
    expect((await describe1(jobId!))?.dependsOn).toEqual(dependsOn);
    expect((await describe1(`${jobId}:1`))?.dependsOn).toEqual(dependsOn);
  });

  it('keeps legacy vcpus / memory overrides and consumable resources', async () => {
    const { jobDefinitionArn } = await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: 'legacy',
        type: 'container',
        containerProperties: { image: 'busybox', vcpus: 1, memory: 512 },
      }),
    );
    const consumableResourcePropertiesOverride = {
      consumableResourceList: [{ consumableResource: 'licence', quantity: 2 }],
    };
    const { jobId } = await submit({
      jobDefinition: jobDefinitionArn,
      containerOverrides: { vcpus: 4, memory: 2048 },
      consumableResourcePropertiesOverride,
    });
    const job = await describe1(jobId!);
    expect(job?.container).toMatchObject({ vcpus: 4, memory: 2048, resourceRequirements: [] });
    expect(job?.consumableResourceProperties).toEqual(consumableResourcePropertiesOverride);
  });

  it('merges node range overrides into nodeProperties.nodeRangeProperties by targetNodes', async () => {
    await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: 'ranges',
        type: 'multinode',
        nodeProperties: {
          numNodes: 3,
          mainNode: 0,
          nodeRangeProperties: [
            { targetNodes: '0', container: { image: 'main', command: ['lead'] } },
            {
              targetNodes: '1:',
              ecsProperties: { taskProperties: [{ containers: [{ name: 'w', image: 'worker', command: ['work'] }] }] },
            },
          ],
        },
      }),
    );
    const seats = { consumableResourceList: [{ consumableResource: 'seat', quantity: 1 }] };
    const { jobId } = await submit({
      jobDefinition: 'ranges',
      nodeOverrides: {
        numNodes: 4,
        nodePropertyOverrides: [
          {
            targetNodes: '0',
            containerOverrides: { command: ['lead', '--fast'], instanceType: 'c5.large' },
            instanceTypes: ['c5.large'],
          },
          {
            targetNodes: '1:',
            ecsPropertiesOverride: {
              taskProperties: [{ containers: [{ name: 'w', environment: [{ name: 'N', value: '4' }] }] }],
            },
            consumableResourcePropertiesOverride: seats,
          },
        ],
      },
    });
    const main = await describe1(jobId!);
    expect(main?.nodeProperties).toEqual({
      numNodes: 4,
      mainNode: 0,
      nodeRangeProperties: [
        {
          targetNodes: '0',
          container: { image: 'main', command: ['lead', '--fast'], instanceType: 'c5.large' },
          instanceTypes: ['c5.large'],
        },
        {
          targetNodes: '1:',
          ecsProperties: {
            taskProperties: [
              {
                containers: [
                  { name: 'w', image: 'worker', command: ['work'], environment: [{ name: 'N', value: '4' }] },
                ],
              },
            ],
          },
          consumableResourceProperties: seats,
        },
      ],
    });
    expect((await describe1(`${jobId}#3`))?.ecsProperties).toEqual(
      main?.nodeProperties?.nodeRangeProperties?.[1].ecsProperties,
    );
  });

  it('keeps the scheduling fields, retry strategy with conditions, and tags as submitted', async () => {
    // RetryStrategy actions: "The values aren't case sensitive."
    const input = {
      jobQueue: 'mini-fair',
      shareIdentifier: 'blue',
      schedulingPriorityOverride: 42,
      retryStrategy: { attempts: 2, evaluateOnExit: [{ onStatusReason: 'Host EC2*', action: 'retry' as 'RETRY' }] },
      timeout: { attemptDurationSeconds: 90 },
      propagateTags: true,
      parameters: { day: 'tuesday' },
      tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])),
    };
    const job = await describe1((await submit(input)).jobId!);
    expect(job).toMatchObject({
      jobQueue: 'arn:aws:batch:us-east-2:123456789012:job-queue/mini-fair',
      shareIdentifier: 'blue',
      schedulingPriority: 42,
      retryStrategy: input.retryStrategy,
      timeout: input.timeout,
      propagateTags: true,
      parameters: input.parameters,
      tags: input.tags,
    });
  });

  const upTo = (count: number) => Array.from({ length: count }, () => ({ jobId: fleetJobId }));
  it.each([
    [
      "a dependency on an unknown job (the sandbox's choice)",
      { dependsOn: [{ jobId: 'gone' }] },
      /job gone does not exist/,
    ],
    ['21 dependencies', { dependsOn: upTo(21) }, /up to 20/],
    ['SEQUENTIAL without a job id on a non-array job', { dependsOn: [{ type: 'SEQUENTIAL' }] }, /needs a jobId/],
    ['N_TO_N without a job id', { arrayProperties: { size: 2 }, dependsOn: [{ type: 'N_TO_N' }] }, /needs a jobId/],
    ['an unknown dependency type', { dependsOn: [{ jobId: fleetJobId, type: 'ALL' }] }, /N_TO_N \| SEQUENTIAL/],
    [
      '6 evaluateOnExit conditions',
      { retryStrategy: { attempts: 2, evaluateOnExit: Array(6).fill({ action: 'EXIT' }) } },
      /up to 5/,
    ],
    [
      'evaluateOnExit without attempts',
      { retryStrategy: { evaluateOnExit: [{ action: 'EXIT' }] } },
      /attempts is required/,
    ],
    [
      'an unknown retry action',
      { retryStrategy: { attempts: 2, evaluateOnExit: [{ action: 'AGAIN' }] } },
      /RETRY or EXIT/,
    ],
    ['0 vcpus', { containerOverrides: { vcpus: 0 } }, /vcpus/],
    [
      'a consumable resource without a name',
      { consumableResourcePropertiesOverride: { consumableResourceList: [{ quantity: 1 }] } },
      /consumableResource/,
    ],
    ['a request over 30 KiB', { parameters: { blob: 'x'.repeat(31 * 1024) } }, /Job size must be less than 30 KiB/],
    ['a shareIdentifier over 255 characters', { jobQueue: 'mini-fair', shareIdentifier: 'b'.repeat(256) }, /255/],
  ])('rejects %s with a ClientException', async (_, input, message) => {
    const error = await rejectionOf(submit(input as Partial<SubmitJobCommandInput>));
    expect(error.name).toBe('ClientException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
  });

  it('rejects a numNodes override without an open-ended range, below its lower bound or not above the main node', async () => {
    for (const [name, targetNodes] of [
      ['fixed', '0:1'],
      ['from-two', '2:'],
    ]) {
      await batch.send(
        new RegisterJobDefinitionCommand({
          jobDefinitionName: name,
          type: 'multinode',
          nodeProperties: {
            numNodes: 3,
            mainNode: 0,
            nodeRangeProperties: [
              { targetNodes: '0:1', container: { image: 'a' } },
              ...(targetNodes === '2:' ? [{ targetNodes, container: { image: 'b' } }] : []),
            ],
          },
        }),
      );
    }
    const fixed = await rejectionOf(submit({ jobDefinition: 'fixed', nodeOverrides: { numNodes: 4 } }));
    expect(fixed.message).toMatch(/open upper boundary/);
    const low = await rejectionOf(submit({ jobDefinition: 'from-two', nodeOverrides: { numNodes: 2 } }));
    expect(low.message).toMatch(/lower boundary/);
    await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: 'main-two',
        type: 'multinode',
        nodeProperties: {
          numNodes: 3,
          mainNode: 2,
          nodeRangeProperties: [{ targetNodes: '0:', container: { image: 'a' } }],
        },
      }),
    );
    const main = await rejectionOf(submit({ jobDefinition: 'main-two', nodeOverrides: { numNodes: 2 } }));
    expect(main.message).toMatch(/main node index 2/);
    const { jobId } = await submit({ jobDefinition: 'from-two', nodeOverrides: { numNodes: 5 } });
    expect((await describe1(jobId!))?.nodeProperties?.numNodes).toBe(5);
  });
});

describe('job lifecycle', () => {
  it('goes SUBMITTED → RUNNABLE → STARTING → RUNNING with startedAt on the manual clock', async () => {
    const { jobId } = await submit();
    const seen: [string | undefined, number | undefined][] = [];
    for (let step = 0; step < 4; step++) {
      const job = await describe1(jobId!);
      seen.push([job?.status, job?.startedAt]);
      sandbox.advance(1000);
    }
    const createdAt = (await describe1(jobId!))?.createdAt ?? 0;
    expect(seen).toEqual([
      ['SUBMITTED', undefined],
      ['RUNNABLE', undefined],
      ['STARTING', undefined],
      ['RUNNING', createdAt + 3000],
    ]);
    const running = await describe1(jobId!);
    expect(running?.container?.logStreamName).toMatch(/^mini-app\/default\//);
    expect(running?.container?.taskArn).toMatch(/^arn:aws:ecs:us-east-2:123456789012:task\//);
  });

  it('keeps fleet jobs at their given status however far the clock moves', async () => {
    sandbox.advance(3_600_000);
    expect(sandbox.job(fleetJob(3))?.status).toBe('RUNNABLE');
    expect(sandbox.job(fleetJob(2))?.status).toBe('STARTING');
  });

  it('uses the lifecycle durations it was started with', async () => {
    const quick = await startSandbox({
      clock: 'manual',
      lifecycle: { submittedMs: 0, runnableMs: 0, startingMs: 50 },
      fleet: loadMiniFleet(),
      dynamodb: false,
    });
    try {
      const client = batchClientFor(quick);
      const { jobId } = await client.send(
        new SubmitJobCommand({ jobName: 'quick', jobQueue: 'mini-prod', jobDefinition: 'mini-app' }),
      );
      expect(quick.job(jobId!)?.status).toBe('STARTING');
      quick.advance(50);
      expect(quick.job(jobId!)).toMatchObject({ status: 'RUNNING', startedAt: quick.now() });
      client.destroy();
    } finally {
      await quick.stop();
    }
  });
});

describe('DescribeJobs', () => {
  it('returns full JobDetails (tags included) and silently omits unknown ids', async () => {
    const { jobs } = await batch.send(new DescribeJobsCommand({ jobs: [fleetJob(1), 'no-such-job'] }));
    expect(jobs).toHaveLength(1);
    expect(jobs?.[0]).toMatchObject({ jobId: fleetJob(1), status: 'RUNNING', tags: { owner: 'etl' } });
    expect(jobs?.[0].container?.secrets).toHaveLength(2);
  });

  it('rejects more than 100 ids with a ClientException', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `id-${i}`);
    const error = await rejectionOf(batch.send(new DescribeJobsCommand({ jobs: ids })));
    expect(error.name).toBe('ClientException');
    expect(error.message).toMatch(/up to 100/);
  });
});

describe('TerminateJob', () => {
  it('fails a RUNNING job with the reason, stoppedAt and isTerminated', async () => {
    const { jobId } = await submit();
    sandbox.advance(3000);
    await batch.send(new TerminateJobCommand({ jobId, reason: 'stale secret; replaced by x' }));
    const job = await describe1(jobId!);
    expect(job).toMatchObject({
      status: 'FAILED',
      statusReason: 'stale secret; replaced by x',
      stoppedAt: sandbox.now(),
      isTerminated: true,
    });
    expect(job?.startedAt).toBeDefined();
    expect(job?.attempts).toHaveLength(1);
  });

  it('cancels a job that has not started', async () => {
    const { jobId } = await submit();
    await batch.send(new TerminateJobCommand({ jobId, reason: 'early' }));
    expect(await describe1(jobId!)).toMatchObject({ status: 'FAILED', statusReason: 'early', isCancelled: true });
  });

  it('terminates a fleet job and every child of an array parent', async () => {
    const parent = fleetJob(6);
    await batch.send(new TerminateJobCommand({ jobId: parent, reason: 'stale' }));
    for (const id of [parent, `${parent}:0`, `${parent}:1`]) {
      expect(sandbox.job(id)).toMatchObject({ status: 'FAILED', statusReason: 'stale' });
    }
  });

  it('requires a reason and a known job', async () => {
    expect((await rejectionOf(batch.send(new TerminateJobCommand({ jobId: fleetJob(1), reason: '' })))).name).toBe(
      'ClientException',
    );
    expect((await rejectionOf(batch.send(new TerminateJobCommand({ jobId: 'nope', reason: 'x' })))).name).toBe(
      'ClientException',
    );
  });
});

describe('CancelJob', () => {
  it('cancels a RUNNABLE job but leaves a RUNNING one untouched (and still succeeds)', async () => {
    const { jobId } = await submit();
    sandbox.advance(1000);
    await batch.send(new CancelJobCommand({ jobId, reason: 'not needed' }));
    expect(await describe1(jobId!)).toMatchObject({ status: 'FAILED', isCancelled: true });
    const response = await batch.send(new CancelJobCommand({ jobId: fleetJob(8), reason: 'no effect' }));
    expect(response.$metadata.httpStatusCode).toBe(200);
    expect(sandbox.job(fleetJob(8))?.status).toBe('RUNNING');
  });
});

describe('tags', () => {
  it('tags, lists and untags a job', async () => {
    const { jobArn } = await submit({ tags: { a: '1' } });
    await batch.send(new TagResourceCommand({ resourceArn: jobArn, tags: { 'rotation-reactor:stale-since': 'now' } }));
    await batch.send(new UntagResourceCommand({ resourceArn: jobArn, tagKeys: ['a'] }));
    const { tags } = await batch.send(new ListTagsForResourceCommand({ resourceArn: jobArn }));
    expect(tags).toEqual({ 'rotation-reactor:stale-since': 'now' });
  });

  it('tags queues and definition revisions', async () => {
    const queue = 'arn:aws:batch:us-east-2:123456789012:job-queue/mini-prod';
    await batch.send(new TagResourceCommand({ resourceArn: queue, tags: { x: 'y' } }));
    expect((await batch.send(new ListTagsForResourceCommand({ resourceArn: queue }))).tags).toEqual({
      'rotation-reactor:policy': 'resubmit',
      x: 'y',
    });
    const definition = definitionArn('mini-app:2');
    expect((await batch.send(new ListTagsForResourceCommand({ resourceArn: definition }))).tags).toEqual({
      team: 'data',
    });
  });

  it.each([
    ['an array child', `${fleetJob(6)}:0`],
    ['a multi-node node', `${fleetJob(7)}#1`],
  ])('rejects %s ARN like AWS', async (_, id) => {
    const resourceArn = `arn:aws:batch:us-east-2:123456789012:job/${id}`;
    for (const command of [
      new TagResourceCommand({ resourceArn, tags: { a: 'b' } }),
      new ListTagsForResourceCommand({ resourceArn }),
      new UntagResourceCommand({ resourceArn, tagKeys: ['a'] }),
    ]) {
      const error = await rejectionOf(batch.send(command as never));
      expect(error.name).toBe('ClientException');
      expect(error.message).toMatch(/child jobs/);
    }
  });

  it('rejects unknown resources and tag overflow', async () => {
    const unknown = 'arn:aws:batch:us-east-2:123456789012:job/nope';
    expect((await rejectionOf(batch.send(new ListTagsForResourceCommand({ resourceArn: unknown })))).name).toBe(
      'ClientException',
    );
    const { jobArn } = await submit({ tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])) });
    const error = await rejectionOf(batch.send(new TagResourceCommand({ resourceArn: jobArn, tags: { one: 'more' } })));
    expect(error.message).toMatch(/at most 50 tags/);
  });
});
