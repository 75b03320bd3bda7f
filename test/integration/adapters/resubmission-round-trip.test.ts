import {
  CreateJobQueueCommand,
  RegisterJobDefinitionCommand,
  type RegisterJobDefinitionCommandInput,
  SubmitJobCommand,
  type SubmitJobCommandInput,
  TagResourceCommand,
} from '@aws-sdk/client-batch';
import { createBatchReader } from '../../../lib/adapters/batch-reader';
import { createBatchWriter } from '../../../lib/adapters/batch-writer';
import { toResubmission } from '../../../lib/adapters/resubmission';
import type { BatchJob } from '../../../lib/core/fleet';
import { STALE_REF_TAG, STALE_SINCE_TAG } from '../../../lib/core/keys';
import { reactToEvents } from '../../../lib/core/react';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { listDifferences } from '../../support/differences';
import { aMemoryEmitter, aMemoryLedger } from '../../support/fakes';
import { batchClientFor } from '../../support/sandbox';

/**
 * Round trip through the real BatchClient and the sandbox: submit a job carrying SubmitJob fields, DescribeJobs it once
 * it runs, copy it with the reactor's writer (toResubmission → SubmitJob), DescribeJobs the copy, and compare the two
 * details field by field. The only differences allowed are the ones README lists as deliberate.
 */

const account = '123456789012';
const region = 'us-east-2';
const LINEAGE_TAG = 'rotation-reactor:replaces';
/** The change the copies answer: their lineage tag names it. */
const ANSWERS = Date.parse('2026-11-28T12:00:00Z');
const OPEN_FENCE = { check: () => undefined };
// Default sandbox lifecycle: 1 s each in SUBMITTED, RUNNABLE, STARTING.
const UNTIL_RUNNING_MS = 3_000;

let sandbox: Sandbox;
let batch: ReturnType<typeof batchClientFor>;
const extraSandboxes: Sandbox[] = [];
let reader: ReturnType<typeof createBatchReader>;
let writer: ReturnType<typeof createBatchWriter>;
const upstream = { plain: '', array: '' };

const image = 'public.ecr.aws/docker/library/busybox:stable';
const SECRET_ARN = `arn:aws:secretsmanager:${region}:${account}:secret:db-AbCdEf`;
// Every container reads the same secret: the reactor's round trip below reaches every scenario through it.
const secrets = [{ name: 'DB', valueFrom: SECRET_ARN }];
const definitions: RegisterJobDefinitionCommandInput[] = [
  {
    jobDefinitionName: 'app',
    type: 'container',
    parameters: { day: 'monday', mode: 'full' },
    containerProperties: {
      image,
      command: ['run', 'Ref::day'],
      environment: [{ name: 'STAGE', value: 'prod' }],
      resourceRequirements: [
        { type: 'VCPU', value: '1' },
        { type: 'MEMORY', value: '2048' },
      ],
      secrets,
    },
    retryStrategy: { attempts: 1 },
    timeout: { attemptDurationSeconds: 3600 },
  },
  {
    jobDefinitionName: 'tagged-app',
    type: 'container',
    containerProperties: { image, resourceRequirements: [{ type: 'VCPU', value: '1' }], secrets },
    tags: { 'cost-centre': 'data' },
    propagateTags: true,
  },
  {
    jobDefinitionName: 'legacy',
    type: 'container',
    containerProperties: { image, vcpus: 1, memory: 512, command: ['legacy'], secrets },
  },
  {
    jobDefinitionName: 'multi-container',
    type: 'container',
    ecsProperties: {
      taskProperties: [
        {
          containers: [
            { name: 'app', image, command: ['serve'], essential: true, secrets },
            { name: 'sidecar', image, environment: [{ name: 'SIDE', value: '1' }], essential: false },
            { name: 'log-router', image, essential: false },
          ],
        },
      ],
    },
  },
  {
    jobDefinitionName: 'mnp',
    type: 'multinode',
    nodeProperties: {
      numNodes: 2,
      mainNode: 0,
      nodeRangeProperties: [
        {
          targetNodes: '0',
          container: { image, command: ['lead'], resourceRequirements: [{ type: 'VCPU', value: '2' }], secrets },
        },
        {
          targetNodes: '1:',
          container: { image, command: ['work'], environment: [{ name: 'ROLE', value: 'worker' }], secrets },
          instanceTypes: ['c5.large'],
        },
      ],
    },
  },
  {
    jobDefinitionName: 'mnp-ecs',
    type: 'multinode',
    nodeProperties: {
      numNodes: 3,
      mainNode: 0,
      nodeRangeProperties: [
        {
          targetNodes: '0:',
          ecsProperties: {
            taskProperties: [
              {
                containers: [
                  { name: 'main', image, command: ['mpirun'], secrets },
                  { name: 'agent', image },
                ],
              },
            ],
          },
        },
      ],
    },
  },
];

const userTags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`user-${i}`, `v${i}`]));

beforeAll(setUp);

/** A sandbox with the queues, the definitions and two upstream jobs (a plain one and an array). */
async function setUp(): Promise<void> {
  sandbox = await startSandbox({ clock: 'manual', dynamodb: false });
  batch = batchClientFor(sandbox);
  reader = createBatchReader(batch);
  writer = createBatchWriter(batch);
  await batch.send(new CreateJobQueueCommand({ jobQueueName: 'plain', priority: 1 }));
  await batch.send(
    new CreateJobQueueCommand({
      jobQueueName: 'fair',
      priority: 1,
      schedulingPolicyArn: `arn:aws:batch:${region}:${account}:scheduling-policy/fair`,
    }),
  );
  for (const definition of definitions) await batch.send(new RegisterJobDefinitionCommand(definition));
  upstream.plain = (await submit({ jobName: 'upstream', jobDefinition: 'app' })).jobId!;
  upstream.array = (await submit({ jobName: 'fan-out', jobDefinition: 'app', arrayProperties: { size: 3 } })).jobId!;
}

afterAll(async () => {
  batch?.destroy();
  await sandbox?.stop();
  for (const extra of extraSandboxes) await extra.stop();
});

function submit(input: Partial<SubmitJobCommandInput>) {
  return batch.send(new SubmitJobCommand({ jobName: 'original', jobQueue: 'plain', jobDefinition: 'app', ...input }));
}

async function describeJob(jobId: string): Promise<BatchJob> {
  const [job] = await reader.describeJobs([jobId]);
  if (!job) throw new Error(`DescribeJobs did not return ${jobId}`);
  return job;
}

/** What differs between any two jobs by construction: identity, times, and the ECS task of the running attempt. */
function withoutIdentity(job: BatchJob): Record<string, unknown> {
  const { jobArn: _arn, jobId: _id, createdAt: _created, startedAt: _started, ...rest } = job;
  if (!job.container) return rest;
  const { taskArn: _task, logStreamName: _log, ...container } = job.container;
  return { ...rest, container };
}

/**
 * The documented deliberate differences, applied to the original: tags without `aws:*` and flag tags, plus the lineage
 * tag; plain job-id dependencies of a started job removed (SEQUENTIAL and N_TO_N kept).
 */
function toExpectedCopy(
  original: BatchJob,
  parentId: string,
  answers = '2026-11-28T12:00:00.000Z',
): Record<string, unknown> {
  const tags = Object.fromEntries(
    Object.entries(original.tags ?? {}).filter(
      ([key]) => !key.startsWith('aws:') && key !== STALE_SINCE_TAG && key !== STALE_REF_TAG,
    ),
  );
  const dependsOn = (original.dependsOn as { jobId?: string; type?: string }[]).filter(
    (dependency) => !dependency.jobId || dependency.type === 'N_TO_N',
  );
  return {
    ...withoutIdentity(original),
    tags: { ...tags, [LINEAGE_TAG]: `${parentId}@${answers}` },
    dependsOn,
  };
}

interface Scenario {
  readonly input: Partial<SubmitJobCommandInput>;
  /** Array children (`:i`) or nodes (`#n`) compared as well. */
  readonly children?: readonly string[];
  readonly flagged?: boolean;
}

const scenarios: Record<string, () => Scenario> = {
  'a container job with every scheduling field, 49 user tags, consumable resources and a plain dependency': () => ({
    input: {
      jobQueue: 'fair',
      shareIdentifier: 'blue',
      schedulingPriorityOverride: 42,
      dependsOn: [{ jobId: upstream.plain }],
      parameters: { day: 'tuesday' },
      containerOverrides: {
        command: ['run', 'Ref::day', '--verbose'],
        environment: [
          { name: 'STAGE', value: 'staging' },
          { name: 'EXTRA', value: '1' },
        ],
        resourceRequirements: [{ type: 'MEMORY', value: '4096' }],
      },
      retryStrategy: { attempts: 3, evaluateOnExit: [{ onStatusReason: 'Host EC2*', action: 'RETRY' }] },
      propagateTags: true,
      timeout: { attemptDurationSeconds: 600 },
      tags: userTags(49),
      consumableResourcePropertiesOverride: {
        consumableResourceList: [{ consumableResource: 'licence', quantity: 2 }],
      },
    },
  }),
  'a flagged job (its stale-since / stale-ref tags stay behind)': () => ({
    input: { tags: { team: 'data', 'rotation-reactor:policy': 'resubmit' } },
    flagged: true,
  }),
  'a legacy job with vcpus / memory overrides and no resource requirements': () => ({
    input: {
      jobDefinition: 'legacy',
      containerOverrides: { vcpus: 4, memory: 4096, environment: [{ name: 'SIZE', value: 'large' }] },
    },
  }),
  'an array job with a SEQUENTIAL dependency (and a plain one)': () => ({
    input: { arrayProperties: { size: 3 }, dependsOn: [{ type: 'SEQUENTIAL' }, { jobId: upstream.plain }] },
    children: [':0', ':2'],
  }),
  'an array job with an N_TO_N dependency': () => ({
    input: { arrayProperties: { size: 3 }, dependsOn: [{ jobId: upstream.array, type: 'N_TO_N' }] },
    children: [':1'],
  }),
  'a multi-node job with per-range overrides': () => ({
    input: {
      jobDefinition: 'mnp',
      nodeOverrides: {
        numNodes: 4,
        nodePropertyOverrides: [
          { targetNodes: '0', containerOverrides: { command: ['lead', '--fast'], instanceType: 'c5.xlarge' } },
          {
            targetNodes: '1:',
            containerOverrides: {
              environment: [{ name: 'SHARDS', value: '3' }],
              resourceRequirements: [{ type: 'GPU', value: '1' }],
              instanceType: 'p3.2xlarge',
            },
            instanceTypes: ['p3.2xlarge'],
            consumableResourcePropertiesOverride: {
              consumableResourceList: [{ consumableResource: 'seat', quantity: 1 }],
            },
          },
        ],
      },
    },
    children: ['#0', '#3'],
  }),
  'a multi-node job with ECS node ranges': () => ({
    input: {
      jobDefinition: 'mnp-ecs',
      nodeOverrides: {
        nodePropertyOverrides: [
          {
            targetNodes: '0:',
            ecsPropertiesOverride: {
              taskProperties: [{ containers: [{ name: 'agent', environment: [{ name: 'VERBOSE', value: '1' }] }] }],
            },
          },
        ],
      },
    },
    children: ['#2'],
  }),
  'an ECS job with several containers': () => ({
    input: {
      jobDefinition: 'multi-container',
      ecsPropertiesOverride: {
        taskProperties: [
          {
            containers: [
              { name: 'app', command: ['serve', '--port', '81'], resourceRequirements: [{ type: 'VCPU', value: '2' }] },
              { name: 'sidecar', environment: [{ name: 'SIDE', value: '2' }] },
            ],
          },
        ],
      },
    },
  }),
};

describe('toResubmission round trip (SubmitJob → DescribeJobs → copy → DescribeJobs)', () => {
  it('the comparison names a changed leaf, a missing key and an extra list item', () => {
    expect(listDifferences({ a: { b: 1, c: [1] }, d: 'x' }, { a: { b: 2, c: [1, 2] } })).toEqual([
      '$.a.b: 1 ≠ 2',
      '$.a.c[1]: (absent) ≠ 2',
      '$.d: "x" ≠ (absent)',
    ]);
  });

  it.each(Object.keys(scenarios))('copies %s', async (name) => {
    const scenario = scenarios[name]();
    const { jobId } = await submit(scenario.input);
    sandbox.advance(UNTIL_RUNNING_MS);
    if (scenario.flagged) {
      const { jobArn } = await describeJob(jobId!);
      await batch.send(
        new TagResourceCommand({
          resourceArn: jobArn,
          tags: { [STALE_SINCE_TAG]: new Date(sandbox.now()).toISOString(), [STALE_REF_TAG]: '/prod/db' },
        }),
      );
    }
    const original = await describeJob(jobId!);
    const copyId = await writer.submitReplacement(original, {
      lineage: { replaces: original.jobId, answers: ANSWERS },
      fence: OPEN_FENCE,
    });
    sandbox.advance(UNTIL_RUNNING_MS);
    // Both run by now: status and every field but identity and times must match.
    const [originalNow, copy] = [await describeJob(jobId!), await describeJob(copyId)];
    expect(listDifferences(toExpectedCopy(originalNow, jobId!), withoutIdentity(copy))).toEqual([]);
    for (const suffix of scenario.children ?? []) {
      const [child, copiedChild] = [await describeJob(`${jobId}${suffix}`), await describeJob(`${copyId}${suffix}`)];
      expect(listDifferences(toExpectedCopy(child, jobId!), withoutIdentity(copiedChild))).toEqual([]);
    }
  });

  const copyOf = (job: BatchJob) =>
    writer.submitReplacement(job, { lineage: { replaces: job.jobId, answers: ANSWERS }, fence: OPEN_FENCE });

  it('keeps the copy of a 49-tag job within 50 tags, and refuses a 50-tag job before calling Batch', async () => {
    const { jobId } = await submit({ tags: userTags(49) });
    const copy = await describeJob(await copyOf(await describeJob(jobId!)));
    expect(Object.keys(copy.tags ?? {})).toHaveLength(50);
    const full = await describeJob((await submit({ tags: userTags(50) })).jobId!);
    const before = sandbox.countsByOperation().SubmitJob;
    await expect(copyOf(full)).rejects.toMatchObject({
      name: 'NotResubmittableError',
      retryable: false,
    });
    expect(sandbox.countsByOperation().SubmitJob).toBe(before);
  });

  it('shows the propagateTags hazard the core must flag: the lineage tag can push job + definition tags over 50', async () => {
    // 49 job tags + 1 definition tag = 50: the original runs. Its copy carries 50 + 1 = 51 and Batch fails it.
    const { jobId } = await submit({ jobDefinition: 'tagged-app', tags: userTags(49) });
    sandbox.advance(UNTIL_RUNNING_MS);
    const original = await describeJob(jobId!);
    expect(original.status).toBe('RUNNING');
    const copy = await describeJob(
      await writer.submitReplacement(original, {
        lineage: { replaces: original.jobId, answers: ANSWERS },
        fence: OPEN_FENCE,
      }),
    );
    expect(copy).toMatchObject({ status: 'FAILED', statusReason: expect.stringMatching(/Tags/) });
    expect(toResubmission(original).tags).toHaveProperty(LINEAGE_TAG, jobId);
  });
});

describe('the reactor resubmitting every kind of job (event → plan → faithful copy → terminate)', () => {
  beforeAll(async () => {
    // A fresh sandbox: only these scenarios (and the two upstream jobs) are live.
    batch.destroy();
    extraSandboxes.push(sandbox);
    await setUp();
  });

  it('submits a copy equal to each original except the documented differences, then terminates the original', async () => {
    const submitted = new Map<string, Scenario>();
    for (const name of Object.keys(scenarios)) {
      const scenario = scenarios[name]();
      // The flag tags of the "flagged" scenario come from the reactor itself here; no tag makes a job resubmittable
      // but the default policy below, so 49 user tags leave room for the lineage tag.
      submitted.set((await submit(scenario.input)).jobId!, scenario);
    }
    sandbox.advance(UNTIL_RUNNING_MS);
    const originals = new Map<string, BatchJob>();
    for (const jobId of submitted.keys()) {
      originals.set(jobId, await describeJob(jobId));
      for (const suffix of submitted.get(jobId)?.children ?? []) {
        originals.set(`${jobId}${suffix}`, await describeJob(`${jobId}${suffix}`));
      }
    }
    const rotatedAt = sandbox.now();
    const rotation = {
      version: '0',
      id: 'rotation-1',
      'detail-type': 'Secret Label Updated',
      source: 'aws.secretsmanager',
      account,
      time: new Date(rotatedAt).toISOString(),
      region,
      resources: [SECRET_ARN],
      detail: { name: 'db', labelUpdated: 'AWSCURRENT', versionId: 'v2' },
    };
    const memory = aMemoryLedger({ now: () => sandbox.now() });
    const { emitter, events } = aMemoryEmitter();
    const report = await reactToEvents(
      [{ source: 'rotation', event: rotation }],
      { jobs: reader, actions: writer, ledger: memory.ledger, emitter, clock: () => sandbox.now() },
      {
        home: { partition: 'aws', region, account },
        plan: { defaultPolicy: 'resubmit', staleMarginMs: 60_000, maxResubmitsPerChange: 100 },
        mode: 'apply',
      },
    );
    const resubmitted = new Map(
      report.outcomes
        .filter((o) => o.status === 'applied' && o.reaction.action === 'resubmit')
        .map((o) => [o.reaction.jobId, o.replacementJobId!]),
    );
    // Every scenario job (array parents and multi-node main jobs included), each once; nothing failed.
    expect(report.outcomes.filter((o) => o.status !== 'applied')).toEqual([]);
    for (const jobId of submitted.keys())
      expect({ jobId, copied: resubmitted.has(jobId) }).toEqual({ jobId, copied: true });
    expect(events.filter((e) => e.detailType === 'Job Resubmitted')).toHaveLength(resubmitted.size);

    sandbox.advance(UNTIL_RUNNING_MS);
    const answers = new Date(rotatedAt).toISOString();
    for (const [jobId, scenario] of submitted) {
      const copyId = resubmitted.get(jobId)!;
      expect(await describeJob(jobId)).toMatchObject({
        status: 'FAILED',
        statusReason: expect.stringContaining(`replaced by ${copyId}`),
      });
      const differences = listDifferences(
        toExpectedCopy(originals.get(jobId)!, jobId, answers),
        withoutIdentity(await describeJob(copyId)),
      );
      expect({ jobId, differences }).toEqual({ jobId, differences: [] });
      for (const suffix of scenario.children ?? []) {
        const copiedChild = withoutIdentity(await describeJob(`${copyId}${suffix}`));
        const expected = toExpectedCopy(originals.get(`${jobId}${suffix}`)!, jobId, answers);
        expect({ child: `${jobId}${suffix}`, differences: listDifferences(expected, copiedChild) }).toEqual({
          child: `${jobId}${suffix}`,
          differences: [],
        });
      }
    }
  });
});
