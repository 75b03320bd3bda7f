import {
  type BatchClient,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  DeregisterJobDefinitionCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  type JobDependency,
  type KeyValuePair,
  ListJobsCommand,
  ListTagsForResourceCommand,
  RegisterJobDefinitionCommand,
  type RegisterJobDefinitionCommandInput,
  SubmitJobCommand,
  type SubmitJobCommandInput,
  TagResourceCommand,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { type Sandbox, startSandbox } from '../../lib/sandbox';
import { type Moto, startMoto } from '../support/moto';
import { batchClientFor, rejectionOf } from '../support/sandbox';
import { expectSameShape, expectSuperset, missingPaths, normalise, shapeOf } from '../support/shapes';

/**
 * The same requests go to moto (a third-party emulator of the real APIs) and to the sandbox; responses must have the
 * same shape (recursive key sets and value types; ids, ARNs and times compared after normalising). Where moto
 * returns a documented reduced shape (shared/reference/aws-semantics.md §8), the sandbox must return a superset.
 */

const region = 'us-east-2';
const computeEnvironment = `arn:aws:batch:${region}:123456789012:compute-environment/contract-ce`;
const definitionInput: RegisterJobDefinitionCommandInput = {
  jobDefinitionName: 'contract-app',
  type: 'container',
  containerProperties: {
    image: 'public.ecr.aws/docker/library/busybox:stable',
    vcpus: 1,
    memory: 512,
    command: ['sh', '-c', 'work'],
    environment: [{ name: 'STAGE', value: 'test' }],
    secrets: [{ name: 'DB_PASSWORD', valueFrom: `arn:aws:secretsmanager:${region}:123456789012:secret:db-AbCdEf` }],
    privileged: false,
    readonlyRootFilesystem: false,
    ulimits: [],
    volumes: [],
    mountPoints: [],
  },
  tags: { team: 'contract' },
};

let moto: Moto;
let sandbox: Sandbox;
let clients: { sandbox: BatchClient; moto: BatchClient };
let events: { sandbox: EventBridgeClient; moto: EventBridgeClient };
const jobs = { sandbox: { jobId: '', jobArn: '' }, moto: { jobId: '', jobArn: '' } };

async function both<T>(call: (client: BatchClient, side: 'sandbox' | 'moto') => Promise<T>): Promise<[T, T]> {
  return Promise.all([call(clients.sandbox, 'sandbox'), call(clients.moto, 'moto')]);
}

beforeAll(async () => {
  // One after the other: when moto cannot start, no sandbox is left listening (jest would never exit).
  moto = await startMoto();
  sandbox = await startSandbox({ clock: 'manual', dynamodb: false });
  const target = (endpoint: string) => ({ endpoint, region });
  clients = { sandbox: batchClientFor(sandbox), moto: batchClientFor(target(moto.endpoint)) };
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  events = {
    sandbox: new EventBridgeClient({ endpoint: sandbox.endpoint, region, credentials, maxAttempts: 1 }),
    moto: new EventBridgeClient({ endpoint: moto.endpoint, region, credentials, maxAttempts: 1 }),
  };
  // moto needs a real compute environment (and its service role) behind a queue; the sandbox takes the ARN as given.
  const iam = new IAMClient({ endpoint: moto.endpoint, region, credentials });
  const role = await iam.send(new CreateRoleCommand({ RoleName: 'contract-batch', AssumeRolePolicyDocument: '{}' }));
  iam.destroy();
  await clients.moto.send(
    new CreateComputeEnvironmentCommand({
      computeEnvironmentName: 'contract-ce',
      type: 'UNMANAGED',
      state: 'ENABLED',
      serviceRole: role.Role?.Arn,
    }),
  );
}, 30_000);

afterAll(async () => {
  for (const client of [clients?.sandbox, clients?.moto, events?.sandbox, events?.moto]) client?.destroy();
  await Promise.all([sandbox?.stop(), moto?.stop()]);
});

describe('sandbox vs moto', () => {
  it('the shape comparison sees missing nested keys, type changes and list element keys', () => {
    const reduced = { a: { b: 1, c: ['x'] }, d: [{ e: true }] };
    expect(missingPaths(shapeOf({ a: { b: 1, c: ['x'] }, d: [{ e: true, f: 1 }] }), shapeOf(reduced))).toEqual([]);
    expect(missingPaths(shapeOf({ a: { b: '1', c: [] }, d: [{}] }), shapeOf(reduced))).toEqual([
      '$.a.b: string instead of number',
      '$.d[].e: missing',
    ]);
  });

  it('CreateJobQueue: same shape and ARN', async () => {
    const [fromSandbox, fromMoto] = await both((client) =>
      client.send(
        new CreateJobQueueCommand({
          jobQueueName: 'contract-q',
          priority: 1,
          state: 'ENABLED',
          computeEnvironmentOrder: [{ order: 1, computeEnvironment }],
          tags: { team: 'contract' },
        }),
      ),
    );
    expectSameShape(fromSandbox, fromMoto);
    expect(fromSandbox.jobQueueArn).toBe(fromMoto.jobQueueArn);
  });

  it('DescribeJobQueues: a superset of moto (moto omits statusReason and jobStateTimeLimitActions)', async () => {
    const [fromSandbox, fromMoto] = await both((client) =>
      client.send(new DescribeJobQueuesCommand({ jobQueues: ['contract-q'] })),
    );
    expectSuperset(fromSandbox, fromMoto);
    const pick = (
      { jobQueueName, jobQueueArn, state, status, priority, computeEnvironmentOrder, tags } = fromMoto.jobQueues![0],
    ) => ({
      jobQueueName,
      jobQueueArn,
      state,
      status,
      priority,
      computeEnvironmentOrder,
      tags,
    });
    expect(pick(fromSandbox.jobQueues![0])).toEqual(pick(fromMoto.jobQueues![0]));
  });

  it('RegisterJobDefinition: same shape, ARN and revisions', async () => {
    const first = await both((client) => client.send(new RegisterJobDefinitionCommand(definitionInput)));
    const second = await both((client) => client.send(new RegisterJobDefinitionCommand(definitionInput)));
    for (const [fromSandbox, fromMoto] of [first, second]) {
      expectSameShape(fromSandbox, fromMoto);
      expect(fromSandbox.jobDefinitionArn).toBe(fromMoto.jobDefinitionArn);
      expect(fromSandbox.revision).toBe(fromMoto.revision);
    }
    expect(second[0].revision).toBe(2);
  });

  it('DescribeJobDefinitions: a superset of moto, same containerProperties (moto omits platformCapabilities, containerOrchestrationType)', async () => {
    const arn = `arn:aws:batch:${region}:123456789012:job-definition/contract-app:1`;
    const byArn = await both((client) => client.send(new DescribeJobDefinitionsCommand({ jobDefinitions: [arn] })));
    const byName = await both((client) =>
      client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: 'contract-app' })),
    );
    for (const [fromSandbox, fromMoto] of [byArn, byName]) {
      expectSuperset(fromSandbox, fromMoto);
      expect(fromSandbox.jobDefinitions?.map((definition) => definition.jobDefinitionArn)).toEqual(
        fromMoto.jobDefinitions?.map((definition) => definition.jobDefinitionArn),
      );
    }
    expect(byArn[0].jobDefinitions?.[0].containerProperties).toEqual(byArn[1].jobDefinitions?.[0].containerProperties);
    expect(byArn[0].jobDefinitions?.[0].tags).toEqual(byArn[1].jobDefinitions?.[0].tags);
  });

  it('DeregisterJobDefinition: both mark the revision INACTIVE', async () => {
    const ref = `arn:aws:batch:${region}:123456789012:job-definition/contract-app:2`;
    const [fromSandbox, fromMoto] = await both((client) =>
      client.send(new DeregisterJobDefinitionCommand({ jobDefinition: ref })),
    );
    expectSameShape(fromSandbox, fromMoto);
    const described = await both((client) => client.send(new DescribeJobDefinitionsCommand({ jobDefinitions: [ref] })));
    expect(described.map((response) => response.jobDefinitions?.[0]?.status)).toEqual(['INACTIVE', 'INACTIVE']);
  });

  it('SubmitJob: same shape and ARN format', async () => {
    const [fromSandbox, fromMoto] = await both((client) =>
      client.send(
        new SubmitJobCommand({
          jobName: 'contract-job',
          jobQueue: 'contract-q',
          jobDefinition: 'contract-app:1',
          tags: { owner: 'contract' },
        }),
      ),
    );
    expectSameShape(fromSandbox, fromMoto);
    expect(normalise(fromSandbox.jobArn)).toBe(normalise(fromMoto.jobArn));
    jobs.sandbox = { jobId: fromSandbox.jobId!, jobArn: fromSandbox.jobArn! };
    jobs.moto = { jobId: fromMoto.jobId!, jobArn: fromMoto.jobArn! };
  });

  it('TerminateJob: same (empty) shape; DescribeJobs: a superset of moto (moto omits secrets, retryStrategy, isTerminated, …)', async () => {
    // moto without Docker runs a job straight to SUCCEEDED; bring the sandbox job to RUNNING first, then stop both.
    sandbox.advance(3000);
    await waitForMotoStatus(jobs.moto.jobId, 'SUCCEEDED');
    const [fromSandbox, fromMoto] = await both((client, side) =>
      client.send(new TerminateJobCommand({ jobId: jobs[side].jobId, reason: 'contract' })),
    );
    expectSameShape(fromSandbox, fromMoto);
    const described = await both((client, side) => client.send(new DescribeJobsCommand({ jobs: [jobs[side].jobId] })));
    expectSuperset(described[0], described[1]);
    const [sandboxJob, motoJob] = described.map((response) => response.jobs?.[0]);
    expect(normalise(sandboxJob?.jobQueue)).toBe(normalise(motoJob?.jobQueue));
    expect(sandboxJob?.jobDefinition).toBe(motoJob?.jobDefinition);
    expect(sandboxJob?.tags).toEqual(motoJob?.tags);
    expect(sandboxJob?.container?.command).toEqual(motoJob?.container?.command);
  });

  it('ListJobs with jobStatus: a superset of moto summaries', async () => {
    const [fromSandbox, fromMoto] = await both((client, side) =>
      client.send(
        new ListJobsCommand({ jobQueue: 'contract-q', jobStatus: side === 'sandbox' ? 'FAILED' : 'SUCCEEDED' }),
      ),
    );
    expect(fromSandbox.jobSummaryList?.map((job) => job.jobId)).toEqual([jobs.sandbox.jobId]);
    expect(fromMoto.jobSummaryList?.map((job) => job.jobId)).toEqual([jobs.moto.jobId]);
    expectSuperset(fromSandbox, fromMoto);
  });

  it('TagResource and ListTagsForResource: same shapes and tags', async () => {
    const tagged = await both((client, side) =>
      client.send(
        new TagResourceCommand({ resourceArn: jobs[side].jobArn, tags: { 'rotation-reactor:stale-since': 't' } }),
      ),
    );
    expectSameShape(...tagged);
    const [fromSandbox, fromMoto] = await both((client, side) =>
      client.send(new ListTagsForResourceCommand({ resourceArn: jobs[side].jobArn })),
    );
    expectSameShape(fromSandbox, fromMoto);
    expect(fromSandbox.tags).toEqual(fromMoto.tags);
  });

  it('errors: both answer an unknown queue with ClientException 400, and omit unknown job ids', async () => {
    const errors = await both((client) =>
      rejectionOf(
        client.send(new SubmitJobCommand({ jobName: 'x', jobQueue: 'missing', jobDefinition: 'contract-app' })),
      ),
    );
    expect(errors.map((error) => [error.name, error.$metadata?.httpStatusCode])).toEqual([
      ['ClientException', 400],
      ['ClientException', 400],
    ]);
    const described = await both((client) => client.send(new DescribeJobsCommand({ jobs: ['no-such-job'] })));
    expect(described.map((response) => response.jobs)).toEqual([[], []]);
  });

  describe('SubmitJob fields a resubmitted copy carries (those moto models)', () => {
    const upstream = { sandbox: { plain: '', array: '' }, moto: { plain: '', array: '' } };
    type Side = 'sandbox' | 'moto';
    const tags50 = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, `v${i}`]));
    const submitBoth = (input: (side: Side) => Partial<SubmitJobCommandInput>) =>
      both((client, side) =>
        client.send(
          new SubmitJobCommand({
            jobName: 'copy-fields',
            jobQueue: 'contract-q',
            jobDefinition: 'contract-app:1',
            ...input(side),
          }),
        ),
      );
    const describeBoth = async (ids: [string, string]) => {
      const [fromSandbox, fromMoto] = await both((client, side) =>
        client.send(new DescribeJobsCommand({ jobs: [ids[side === 'sandbox' ? 0 : 1]] })),
      );
      return [fromSandbox.jobs?.[0], fromMoto.jobs?.[0]] as const;
    };
    // Upstream ids differ between the two by construction: name them by role.
    const byRole = (side: Side, dependsOn: readonly JobDependency[] | undefined) =>
      dependsOn?.map((dependency) => ({
        ...dependency,
        jobId:
          dependency.jobId === upstream[side].plain
            ? '<plain>'
            : dependency.jobId === upstream[side].array
              ? '<array>'
              : dependency.jobId,
      }));
    // Order is not compared: moto lists overrides first, the sandbox keeps the definition's order; AWS's is undocumented.
    const withoutBatchVariables = (environment: readonly KeyValuePair[] | undefined) =>
      environment
        ?.filter((variable) => !variable.name?.startsWith('AWS_BATCH'))
        .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));

    beforeAll(async () => {
      const plain = await submitBoth(() => ({ jobName: 'upstream' }));
      const array = await submitBoth(() => ({ jobName: 'upstream-array', arrayProperties: { size: 2 } }));
      upstream.sandbox = { plain: plain[0].jobId!, array: array[0].jobId! };
      upstream.moto = { plain: plain[1].jobId!, array: array[1].jobId! };
    });

    it('dependsOn, parameters, timeout, legacy vcpus / memory, command, environment and 50 tags come back as sent', async () => {
      const submitted = await submitBoth((side) => ({
        dependsOn: [{ jobId: upstream[side].plain }],
        parameters: { day: 'tuesday' },
        timeout: { attemptDurationSeconds: 300 },
        containerOverrides: {
          vcpus: 2,
          memory: 1024,
          command: ['sh', '-c', 'again'],
          environment: [{ name: 'EXTRA', value: '1' }],
        },
        tags: tags50,
      }));
      const [fromSandbox, fromMoto] = await describeBoth([submitted[0].jobId!, submitted[1].jobId!]);
      const pick = (side: Side, job: typeof fromSandbox) => ({
        dependsOn: byRole(side, job?.dependsOn),
        parameters: job?.parameters,
        timeout: job?.timeout,
        vcpus: job?.container?.vcpus,
        memory: job?.container?.memory,
        command: job?.container?.command,
        environment: withoutBatchVariables(job?.container?.environment),
        tags: job?.tags,
      });
      expect(pick('sandbox', fromSandbox)).toEqual(pick('moto', fromMoto));
      expect(pick('sandbox', fromSandbox)).toMatchObject({
        dependsOn: [{ jobId: '<plain>' }],
        vcpus: 2,
        memory: 1024,
        environment: [
          { name: 'EXTRA', value: '1' },
          { name: 'STAGE', value: 'test' },
        ],
        tags: tags50,
      });
    });

    it('an array keeps SEQUENTIAL and N_TO_N dependencies on the parent and on each child', async () => {
      const submitted = await submitBoth((side) => ({
        arrayProperties: { size: 2 },
        dependsOn: [{ type: 'SEQUENTIAL' }, { jobId: upstream[side].array, type: 'N_TO_N' }],
      }));
      const parents = await describeBoth([submitted[0].jobId!, submitted[1].jobId!]);
      const children = await describeBoth([`${submitted[0].jobId}:1`, `${submitted[1].jobId}:1`]);
      for (const [fromSandbox, fromMoto] of [parents, children]) {
        expect(byRole('sandbox', fromSandbox?.dependsOn)).toEqual(byRole('moto', fromMoto?.dependsOn));
        expect(byRole('sandbox', fromSandbox?.dependsOn)).toEqual([
          { type: 'SEQUENTIAL' },
          { jobId: '<array>', type: 'N_TO_N' },
        ]);
      }
      expect(parents[0]?.arrayProperties?.size).toBe(parents[1]?.arrayProperties?.size);
    });

    it('both refuse 51 tags with HTTP 400 (moto names it ValidationError; Batch models only ClientException)', async () => {
      const tags = { ...tags50, k50: 'v50' };
      const errors = await both((client) =>
        rejectionOf(
          client.send(
            new SubmitJobCommand({ jobName: 'x', jobQueue: 'contract-q', jobDefinition: 'contract-app:1', tags }),
          ),
        ),
      );
      expect(errors.map((error) => error.$metadata?.httpStatusCode)).toEqual([400, 400]);
      expect(errors.map((error) => error.name)).toEqual(['ClientException', 'ValidationError']);
    });
  });

  it('PutEvents: same shapes for accepted and failed entries, and ValidationException over 10 entries', async () => {
    const entries = [
      { Source: 'rotation-reactor', DetailType: 'Change Processed', Detail: '{"changes": 1}' },
      { Source: 'rotation-reactor', DetailType: 'Change Processed' },
      { Source: 'rotation-reactor', DetailType: 'Change Processed', Detail: '{' },
    ];
    const [fromSandbox, fromMoto] = await Promise.all(
      [events.sandbox, events.moto].map((client) => client.send(new PutEventsCommand({ Entries: entries }))),
    );
    expectSameShape(fromSandbox, fromMoto);
    expect(fromSandbox.Entries?.map((entry) => entry.ErrorCode)).toEqual(
      fromMoto.Entries?.map((entry) => entry.ErrorCode),
    );
    const tooMany = Array.from({ length: 11 }, () => entries[0]);
    const errors = await Promise.all(
      [events.sandbox, events.moto].map((client) =>
        rejectionOf(client.send(new PutEventsCommand({ Entries: tooMany }))),
      ),
    );
    expect(errors.map((error) => error.name)).toEqual(['ValidationException', 'ValidationException']);
  });
});

async function waitForMotoStatus(jobId: string, status: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { jobs: found } = await clients.moto.send(new DescribeJobsCommand({ jobs: [jobId] }));
    if (found?.[0]?.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto job ${jobId} did not reach ${status}`);
}
