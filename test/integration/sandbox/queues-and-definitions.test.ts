import {
  CreateJobQueueCommand,
  DeregisterJobDefinitionCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  type JobDefinition,
  paginateDescribeJobDefinitions,
  paginateDescribeJobQueues,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
} from '@aws-sdk/client-batch';
import type { BatchJobDefinition } from '../../../lib/core/fleet';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { batchClientFor, loadMiniFleet, rejectionOf } from '../../support/sandbox';

const mini = loadMiniFleet();
const definitionArn = (name: string) => `arn:aws:batch:us-east-2:123456789012:job-definition/${name}`;
const queueArn = (name: string) => `arn:aws:batch:us-east-2:123456789012:job-queue/${name}`;
const manyRevisions = 250;

function aRevision(revision: number): BatchJobDefinition {
  return {
    ...mini.jobDefinitions[1],
    jobDefinitionName: 'many',
    jobDefinitionArn: definitionArn(`many:${revision}`),
    revision,
    status: revision % 5 === 0 ? 'ACTIVE' : 'INACTIVE',
  };
}

let sandbox: Sandbox;
let batch: ReturnType<typeof batchClientFor>;

beforeAll(async () => {
  const jobDefinitions = [...mini.jobDefinitions, ...Array.from({ length: manyRevisions }, (_, i) => aRevision(i + 1))];
  sandbox = await startSandbox({ fleet: { ...mini, jobDefinitions }, clock: 'manual', dynamodb: false });
  batch = batchClientFor(sandbox);
});

afterAll(async () => {
  batch.destroy();
  await sandbox.stop();
});

describe('DescribeJobQueues', () => {
  it('returns every queue as JobQueueDetail', async () => {
    const { jobQueues } = await batch.send(new DescribeJobQueuesCommand({}));
    expect(jobQueues?.map((queue) => [queue.jobQueueName, queue.state])).toEqual([
      ['mini-prod', 'ENABLED'],
      ['mini-disabled', 'DISABLED'],
      ['mini-fair', 'ENABLED'],
    ]);
    expect(jobQueues?.[0]).toMatchObject({
      jobQueueArn: queueArn('mini-prod'),
      status: 'VALID',
      priority: 1,
      tags: { 'rotation-reactor:policy': 'resubmit' },
    });
  });

  it('selects by name or ARN and omits unknown names', async () => {
    const { jobQueues } = await batch.send(
      new DescribeJobQueuesCommand({ jobQueues: ['mini-fair', queueArn('mini-prod'), 'missing'] }),
    );
    expect(jobQueues?.map((queue) => queue.jobQueueName)).toEqual(['mini-fair', 'mini-prod']);
  });

  it('paginates with maxResults through the SDK paginator', async () => {
    const pages: string[][] = [];
    for await (const page of paginateDescribeJobQueues({ client: batch, pageSize: 2 }, {})) {
      pages.push(page.jobQueues?.map((queue) => queue.jobQueueName ?? '') ?? []);
    }
    expect(pages).toEqual([['mini-prod', 'mini-disabled'], ['mini-fair']]);
  });

  it('rejects more than 100 names and maxResults over 100', async () => {
    const names = Array.from({ length: 101 }, (_, i) => `q${i}`);
    expect((await rejectionOf(batch.send(new DescribeJobQueuesCommand({ jobQueues: names })))).name).toBe(
      'ClientException',
    );
    expect((await rejectionOf(batch.send(new DescribeJobQueuesCommand({ maxResults: 101 })))).name).toBe(
      'ClientException',
    );
  });
});

describe('CreateJobQueue', () => {
  it('creates a queue that SubmitJob accepts, with tags', async () => {
    const created = await batch.send(
      new CreateJobQueueCommand({
        jobQueueName: 'created',
        priority: 10,
        computeEnvironmentOrder: [
          { order: 1, computeEnvironment: 'arn:aws:batch:us-east-2:123456789012:compute-environment/x' },
        ],
        tags: { team: 'a' },
      }),
    );
    expect(created).toMatchObject({ jobQueueName: 'created', jobQueueArn: queueArn('created') });
    const { jobQueues } = await batch.send(new DescribeJobQueuesCommand({ jobQueues: ['created'] }));
    expect(jobQueues?.[0]).toMatchObject({ state: 'ENABLED', status: 'VALID', priority: 10, tags: { team: 'a' } });
    const job = await batch.send(
      new SubmitJobCommand({ jobName: 'j', jobQueue: 'created', jobDefinition: 'mini-app' }),
    );
    expect(job.jobId).toBeDefined();
  });

  it('creates a DISABLED queue that SubmitJob refuses', async () => {
    await batch.send(new CreateJobQueueCommand({ jobQueueName: 'off', priority: 1, state: 'DISABLED' }));
    const error = await rejectionOf(
      batch.send(new SubmitJobCommand({ jobName: 'j', jobQueue: 'off', jobDefinition: 'mini-app' })),
    );
    expect(error.message).toMatch(/not in ENABLED state/);
  });

  it('rejects a duplicate name', async () => {
    const error = await rejectionOf(batch.send(new CreateJobQueueCommand({ jobQueueName: 'mini-prod', priority: 1 })));
    expect(error.name).toBe('ClientException');
  });
});

describe('DescribeJobDefinitions', () => {
  it('returns revisions by ARN and by name:revision, INACTIVE ones included', async () => {
    const { jobDefinitions } = await batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitions: [definitionArn('mini-app:1'), 'mini-mnp:1', 'mini-app:9'] }),
    );
    expect(jobDefinitions?.map((definition) => [definition.jobDefinitionArn, definition.status])).toEqual([
      [definitionArn('mini-app:1'), 'INACTIVE'],
      [definitionArn('mini-mnp:1'), 'ACTIVE'],
    ]);
    expect(jobDefinitions?.[0].containerProperties?.secrets).toHaveLength(1);
  });

  it('rejects jobDefinitions combined with other parameters, and more than 100 of them', async () => {
    const combined = await rejectionOf(
      batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: ['mini-app:1'], status: 'ACTIVE' })),
    );
    expect(combined.message).toMatch(/can't be used with other parameters/);
    const many = Array.from({ length: 101 }, (_, i) => `many:${i + 1}`);
    expect((await rejectionOf(batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: many })))).name).toBe(
      'ClientException',
    );
  });

  it('filters by name and status and paginates 100 at a time', async () => {
    const all: JobDefinition[] = [];
    let pages = 0;
    for await (const page of paginateDescribeJobDefinitions({ client: batch }, { jobDefinitionName: 'many' })) {
      pages += 1;
      all.push(...(page.jobDefinitions ?? []));
    }
    expect([pages, all.length]).toEqual([3, manyRevisions]);
    const active = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: 'many', status: 'ACTIVE' }));
    expect(active.jobDefinitions).toHaveLength(manyRevisions / 5);
    expect(active.jobDefinitions?.every((definition) => definition.status === 'ACTIVE')).toBe(true);
  });

  it('honours maxResults over all definitions', async () => {
    const page = await batch.send(new DescribeJobDefinitionsCommand({ maxResults: 2 }));
    expect(page.jobDefinitions?.map((definition) => definition.jobDefinitionArn)).toEqual([
      definitionArn('mini-app:1'),
      definitionArn('mini-app:2'),
    ]);
    expect(page.nextToken).toBeDefined();
  });
});

describe('RegisterJobDefinition and DeregisterJobDefinition', () => {
  it('registers the next revision as ACTIVE and deregisters it to INACTIVE', async () => {
    const registered = await batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: 'mini-app',
        type: 'container',
        containerProperties: { image: 'busybox', command: ['true'] },
        tags: { v: '3' },
      }),
    );
    expect(registered).toMatchObject({
      jobDefinitionName: 'mini-app',
      jobDefinitionArn: definitionArn('mini-app:3'),
      revision: 3,
    });
    const { jobDefinitions } = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: ['mini-app:3'] }));
    expect(jobDefinitions?.[0]).toMatchObject({
      status: 'ACTIVE',
      type: 'container',
      containerOrchestrationType: 'ECS',
      tags: { v: '3' },
      containerProperties: { image: 'busybox', command: ['true'], environment: [], secrets: [] },
    });
    await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: definitionArn('mini-app:3') }));
    const after = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: ['mini-app:3'] }));
    expect(after.jobDefinitions?.[0].status).toBe('INACTIVE');
  });

  it.each([
    ['a missing type', { jobDefinitionName: 'x' }],
    ['an unknown type', { jobDefinitionName: 'x', type: 'lambda' }],
    ['a container type without properties', { jobDefinitionName: 'x', type: 'container' }],
    ['containerProperties without image', { jobDefinitionName: 'x', type: 'container', containerProperties: {} }],
    ['a multinode type without nodeProperties', { jobDefinitionName: 'x', type: 'multinode' }],
    ['a bad name', { jobDefinitionName: 'a b', type: 'container', containerProperties: { image: 'i' } }],
  ])('rejects %s with a ClientException', async (_, input) => {
    const error = await rejectionOf(batch.send(new RegisterJobDefinitionCommand(input as never)));
    expect(error.name).toBe('ClientException');
  });

  it('rejects deregistering an unknown revision', async () => {
    const error = await rejectionOf(batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: 'nope:1' })));
    expect(error.name).toBe('ClientException');
  });
});
