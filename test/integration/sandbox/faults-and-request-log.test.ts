import { DescribeJobsCommand, ListJobsCommand, SubmitJobCommand } from '@aws-sdk/client-batch';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { batchClientFor, loadMiniFleet, rejectionOf } from '../../support/sandbox';

let sandbox: Sandbox;
let batch: ReturnType<typeof batchClientFor>;

beforeAll(async () => {
  sandbox = await startSandbox({ fleet: loadMiniFleet(), clock: 'manual', dynamodb: false });
  batch = batchClientFor(sandbox, { maxAttempts: 1 });
});

afterAll(async () => {
  batch.destroy();
  await sandbox.stop();
});

beforeEach(() => {
  sandbox.setFaults({});
  sandbox.resetRequestLog();
});

const listRunning = (client = batch) => client.send(new ListJobsCommand({ jobQueue: 'mini-prod' }));

describe('fault injection', () => {
  it('answers a throttled request with 429 TooManyRequestsException, which the SDK names', async () => {
    sandbox.setFaults({ throttleRate: 1 });
    const error = await rejectionOf(listRunning());
    expect(error.name).toBe('TooManyRequestsException');
    expect(error.message).toBe('Too Many Requests');
    expect(error.$metadata?.httpStatusCode).toBe(429);
  });

  it('answers a server error with 500 ServerException', async () => {
    sandbox.setFaults({ serverErrorRate: 1 });
    const error = await rejectionOf(listRunning());
    expect(error.name).toBe('ServerException');
    expect(error.$metadata?.httpStatusCode).toBe(500);
  });

  it('lets the SDK retry a throttled request (it classifies TooManyRequestsException as throttling)', async () => {
    const retrying = batchClientFor(sandbox, { maxAttempts: 2 });
    try {
      sandbox.setFaults({ throttleRate: 1 });
      await rejectionOf(listRunning(retrying));
      expect(sandbox.requests().map((request) => request.outcome)).toEqual(['throttled', 'throttled']);
    } finally {
      retrying.destroy();
    }
  });

  it('still succeeds under a 30 % throttle with the SDK default retries', async () => {
    const retrying = batchClientFor(sandbox, { maxAttempts: 5 });
    try {
      sandbox.setFaults({ throttleRate: 0.3, seed: 3 });
      const results = await Promise.all(Array.from({ length: 12 }, () => listRunning(retrying)));
      expect(results.every((result) => result.jobSummaryList?.length === 3)).toBe(true);
      const outcomes = sandbox.requests().map((request) => request.outcome);
      expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(12);
      expect(outcomes).toContain('throttled');
    } finally {
      retrying.destroy();
    }
  });

  it('limits faults to the listed operations', async () => {
    sandbox.setFaults({ throttleRate: 1, operations: ['SubmitJob'] });
    await expect(listRunning()).resolves.toBeDefined();
    const error = await rejectionOf(
      batch.send(new SubmitJobCommand({ jobName: 'j', jobQueue: 'mini-prod', jobDefinition: 'mini-app' })),
    );
    expect(error.name).toBe('TooManyRequestsException');
    expect(sandbox.jobs().some((job) => job.jobName === 'j')).toBe(false);
  });

  it('draws the same faults for the same seed', async () => {
    const outcomes = async () => {
      sandbox.setFaults({ throttleRate: 0.3, serverErrorRate: 0.2, seed: 99 });
      sandbox.resetRequestLog();
      for (let i = 0; i < 20; i++) await listRunning().catch(() => undefined);
      return sandbox.requests().map((request) => request.outcome);
    };
    const first = await outcomes();
    expect(new Set(first)).toEqual(new Set(['ok', 'throttled', 'server-error']));
    expect(await outcomes()).toEqual(first);
  });

  it('adds latency', async () => {
    sandbox.setFaults({ latencyMs: 150 });
    const started = Date.now();
    await listRunning();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('rejects invalid fault settings', () => {
    expect(() => sandbox.setFaults({ throttleRate: 2 })).toThrow(RangeError);
  });
});

describe('request log', () => {
  it('records each request with its operation, wall-clock time and outcome, and counts by operation', async () => {
    const before = Date.now();
    await listRunning();
    await batch.send(new DescribeJobsCommand({ jobs: ['x'] }));
    await rejectionOf(batch.send(new ListJobsCommand({ jobQueue: 'missing' })));
    sandbox.setFaults({ throttleRate: 1 });
    await rejectionOf(listRunning());
    expect(sandbox.requests()).toEqual([
      { operation: 'ListJobs', at: expect.any(Number), outcome: 'ok' },
      { operation: 'DescribeJobs', at: expect.any(Number), outcome: 'ok' },
      { operation: 'ListJobs', at: expect.any(Number), outcome: 'client-error' },
      { operation: 'ListJobs', at: expect.any(Number), outcome: 'throttled' },
    ]);
    expect(sandbox.requests()[0].at).toBeGreaterThanOrEqual(before);
    expect(sandbox.countsByOperation()).toEqual({ ListJobs: 3, DescribeJobs: 1 });
    sandbox.resetRequestLog();
    expect(sandbox.requests()).toEqual([]);
    expect(sandbox.countsByOperation()).toEqual({});
  });
});

describe('protocol robustness', () => {
  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${sandbox.endpoint}${path}`, { method: 'POST', ...init });

  it('answers an unknown path with 404 and logs it as a client error', async () => {
    const response = await raw('/v1/deletejobqueue', { body: '{}' });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'POST /v1/deletejobqueue is not an operation the sandbox serves',
    });
    expect(sandbox.requests()).toEqual([
      { operation: 'UnknownOperation', at: expect.any(Number), outcome: 'client-error' },
    ]);
  });

  it('answers an unknown x-amz-target with 400', async () => {
    const response = await raw('/', { body: '{}', headers: { 'x-amz-target': 'AWSEvents.PutRule' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/AWSEvents.PutRule is not served/);
    expect(sandbox.countsByOperation()).toEqual({ PutRule: 1 });
  });

  it.each([
    ['invalid JSON', '/v1/listjobs', '{'],
    ['a JSON array', '/v1/describejobs', '[]'],
    ['a wrongly typed field', '/v1/describejobs', '{"jobs": "abc"}'],
    ['a wrongly typed filter', '/v1/listjobs', '{"jobQueue": "mini-prod", "filters": [1]}'],
    [
      'a wrongly typed override',
      '/v1/submitjob',
      '{"jobName":"a","jobQueue":"mini-prod","jobDefinition":"mini-app","containerOverrides":{"environment":[null]}}',
    ],
    ['a non-numeric maxResults', '/v1/listjobs', '{"jobQueue": "mini-prod", "maxResults": "ten"}'],
    [
      'a wrongly typed node override',
      '/v1/submitjob',
      '{"jobName":"a","jobQueue":"mini-prod","jobDefinition":"mini-mnp","nodeOverrides":{"nodePropertyOverrides":[{"targetNodes":"0:","containerOverrides":5}]}}',
    ],
    [
      'a wrongly typed ECS override',
      '/v1/submitjob',
      '{"jobName":"a","jobQueue":"mini-prod","jobDefinition":"mini-app","ecsPropertiesOverride":{"taskProperties":[{"containers":[{"environment":5}]}]}}',
    ],
    [
      'wrongly typed ecsProperties',
      '/v1/registerjobdefinition',
      '{"jobDefinitionName":"a","type":"container","ecsProperties":{"taskProperties":[{"containers":[5]}]}}',
    ],
  ])('answers %s with a ClientException and keeps serving', async (_, path, body) => {
    const response = await raw(path, { body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe('ClientException');
    await expect(listRunning()).resolves.toBeDefined();
  });

  const fieldsByPath: Record<string, string[]> = {
    '/v1/describejobqueues': ['jobQueues', 'maxResults', 'nextToken'],
    '/v1/createjobqueue': [
      'jobQueueName',
      'priority',
      'state',
      'tags',
      'computeEnvironmentOrder',
      'schedulingPolicyArn',
    ],
    '/v1/describejobdefinitions': ['jobDefinitions', 'jobDefinitionName', 'status', 'maxResults', 'nextToken'],
    '/v1/registerjobdefinition': [
      'type',
      'containerProperties',
      'nodeProperties',
      'ecsProperties',
      'tags',
      'parameters',
    ],
    '/v1/deregisterjobdefinition': ['jobDefinition'],
    '/v1/listjobs': ['jobQueue', 'arrayJobId', 'multiNodeJobId', 'jobStatus', 'maxResults', 'nextToken', 'filters'],
    '/v1/describejobs': ['jobs'],
    '/v1/submitjob': [
      'jobName',
      'jobQueue',
      'jobDefinition',
      'arrayProperties',
      'containerOverrides',
      'nodeOverrides',
      'ecsPropertiesOverride',
      'retryStrategy',
      'timeout',
      'tags',
      'parameters',
      'dependsOn',
      'propagateTags',
      'schedulingPriorityOverride',
      'shareIdentifier',
    ],
    '/v1/terminatejob': ['jobId', 'reason'],
    '/v1/canceljob': ['jobId', 'reason'],
  };
  const valid: Record<string, Record<string, unknown>> = {
    '/v1/createjobqueue': { jobQueueName: 'fuzz', priority: 1 },
    '/v1/registerjobdefinition': { jobDefinitionName: 'fuzz', type: 'container', containerProperties: { image: 'i' } },
    '/v1/listjobs': { jobQueue: 'mini-prod' },
    '/v1/describejobs': { jobs: [] },
    '/v1/submitjob': { jobName: 'fuzz', jobQueue: 'mini-prod', jobDefinition: 'mini-app' },
    '/v1/terminatejob': { jobId: 'x', reason: 'r' },
    '/v1/canceljob': { jobId: 'x', reason: 'r' },
  };
  const junk: unknown[] = [null, 0, -1, 1.5, 'text', '', true, [], [1], [null], [{}], [{ name: 1 }], {}, { size: 'x' }];

  it('never answers junk in any field of any operation with a server error', async () => {
    const statuses = new Set<number>();
    for (const [path, fields] of Object.entries(fieldsByPath)) {
      for (const field of fields) {
        for (const value of junk) {
          const body = JSON.stringify({ ...valid[path], [field]: value, jobQueueName: `fuzz-${statuses.size}` });
          const response = await raw(path, { body, headers: { 'content-type': 'application/json' } });
          await response.arrayBuffer();
          statuses.add(response.status);
          if (response.status >= 500)
            throw new Error(`${path} ${field}=${JSON.stringify(value)} answered ${response.status}`);
        }
      }
    }
    expect([...statuses].sort()).toEqual([200, 400]);
    expect(sandbox.requests().some((request) => request.outcome === 'server-error')).toBe(false);
  });
});
