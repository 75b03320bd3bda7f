import { type JobSummary, ListJobsCommand, paginateListJobs, SubmitJobCommand } from '@aws-sdk/client-batch';
import type { BatchJob, FleetSnapshot } from '../../../lib/core/fleet';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { batchClientFor, loadMiniFleet, rejectionOf } from '../../support/sandbox';

const mini = loadMiniFleet();
const queueArn = (name: string) => `arn:aws:batch:us-east-2:123456789012:job-queue/${name}`;
const definitionArn = (name: string) => `arn:aws:batch:us-east-2:123456789012:job-definition/${name}`;
const T0 = 1_767_225_600_000;

function aBulkJob(index: number, overrides: Partial<BatchJob> = {}): BatchJob {
  const jobId = `bulk-${String(index).padStart(5, '0')}`;
  return {
    jobId,
    jobArn: `arn:aws:batch:us-east-2:123456789012:job/${jobId}`,
    jobName: index % 2 === 0 ? `Nightly-${index}` : `report-${index}`,
    jobQueue: queueArn('bulk'),
    jobDefinition: definitionArn(`mini-app:${(index % 2) + 1}`),
    status: 'RUNNING',
    createdAt: T0 + index,
    startedAt: T0 + index + 10,
    ...overrides,
  };
}

function aBulkFleet(running: number, succeeded: number): FleetSnapshot {
  return {
    ...mini,
    jobQueues: [...mini.jobQueues, { ...mini.jobQueues[0], jobQueueName: 'bulk', jobQueueArn: queueArn('bulk') }],
    jobs: [
      ...mini.jobs,
      ...Array.from({ length: running }, (_, index) => aBulkJob(index)),
      ...Array.from({ length: succeeded }, (_, index) =>
        aBulkJob(running + index, { status: 'SUCCEEDED', stoppedAt: T0 + 99_999 }),
      ),
    ],
  };
}

let sandbox: Sandbox;
let batch: ReturnType<typeof batchClientFor>;

beforeAll(async () => {
  sandbox = await startSandbox({ fleet: aBulkFleet(2500, 30), clock: 'manual', dynamodb: false });
  batch = batchClientFor(sandbox);
});

afterAll(async () => {
  batch.destroy();
  await sandbox.stop();
});

beforeEach(() => sandbox.resetRequestLog());

describe('ListJobs', () => {
  it('returns RUNNING jobs only when no status is given', async () => {
    const { jobSummaryList } = await batch.send(new ListJobsCommand({ jobQueue: 'mini-prod' }));
    expect(jobSummaryList?.map((job) => job.status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
  });

  it('pages 2500 running jobs in pages of 1000 through the SDK paginator', async () => {
    const pages: JobSummary[][] = [];
    for await (const page of paginateListJobs(
      { client: batch },
      { jobQueue: queueArn('bulk'), jobStatus: 'RUNNING' },
    )) {
      pages.push(page.jobSummaryList ?? []);
    }
    expect(pages.map((page) => page.length)).toEqual([1000, 1000, 500]);
    expect(new Set(pages.flat().map((job) => job.jobId)).size).toBe(2500);
    expect(sandbox.countsByOperation()).toEqual({ ListJobs: 3 });
  });

  it('honours maxResults and ends without an empty page', async () => {
    const first = await batch.send(new ListJobsCommand({ jobQueue: 'bulk', jobStatus: 'SUCCEEDED', maxResults: 20 }));
    expect(first.jobSummaryList).toHaveLength(20);
    const second = await batch.send(
      new ListJobsCommand({ jobQueue: 'bulk', jobStatus: 'SUCCEEDED', maxResults: 20, nextToken: first.nextToken }),
    );
    expect(second.jobSummaryList).toHaveLength(10);
    expect(second.nextToken).toBeUndefined();
  });

  it('caps a page at 1000 even when more is asked for', async () => {
    const page = await batch.send(new ListJobsCommand({ jobQueue: 'bulk', maxResults: 5000 }));
    expect(page.jobSummaryList).toHaveLength(1000);
    expect(page.nextToken).toBeDefined();
  });

  it('returns JobSummary shapes with epoch-ms times', async () => {
    const { jobSummaryList } = await batch.send(new ListJobsCommand({ jobQueue: 'mini-prod', maxResults: 1 }));
    expect(jobSummaryList?.[0]).toEqual({
      jobArn: 'arn:aws:batch:us-east-2:123456789012:job/5a4d0b1e-0000-4000-8000-000000000001',
      jobId: '5a4d0b1e-0000-4000-8000-000000000001',
      jobName: 'nightly-load',
      createdAt: T0,
      startedAt: T0 + 60_000,
      status: 'RUNNING',
      jobDefinition: definitionArn('mini-app:2'),
    });
  });

  it('does not list array children or multi-node nodes by queue', async () => {
    const pending = await batch.send(new ListJobsCommand({ jobQueue: 'mini-prod', jobStatus: 'PENDING' }));
    const running = await batch.send(new ListJobsCommand({ jobQueue: 'mini-prod', jobStatus: 'RUNNING' }));
    const ids = [...(pending.jobSummaryList ?? []), ...(running.jobSummaryList ?? [])].map((job) => job.jobId);
    expect(ids.some((id) => id?.includes(':') || id?.includes('#'))).toBe(false);
    expect(pending.jobSummaryList?.[0].arrayProperties).toEqual({ size: 2 });
  });

  it('lists array children by arrayJobId and nodes by multiNodeJobId', async () => {
    const parent = '5a4d0b1e-0000-4000-8000-000000000006';
    const children = await batch.send(new ListJobsCommand({ arrayJobId: parent, jobStatus: 'RUNNABLE' }));
    expect(children.jobSummaryList?.map((job) => [job.jobId, job.arrayProperties])).toEqual([
      [`${parent}:1`, { index: 1 }],
    ]);
    const main = '5a4d0b1e-0000-4000-8000-000000000007';
    const nodes = await batch.send(new ListJobsCommand({ multiNodeJobId: main }));
    expect(nodes.jobSummaryList?.map((job) => job.nodeProperties)).toEqual([
      { isMainNode: true, numNodes: 2, nodeIndex: 0 },
      { isMainNode: false, numNodes: 2, nodeIndex: 1 },
    ]);
  });

  it.each([
    ['none', {}],
    ['two', { jobQueue: 'mini-prod', arrayJobId: 'x' }],
  ])('rejects %s of jobQueue / arrayJobId / multiNodeJobId with a ClientException', async (_, input) => {
    const error = await rejectionOf(batch.send(new ListJobsCommand(input)));
    expect(error.name).toBe('ClientException');
    expect(error.message).toMatch(/only one of jobQueue, arrayJobId or multiNodeJobId/);
  });

  it('rejects an unknown queue, status, or token with a ClientException', async () => {
    for (const input of [
      { jobQueue: 'no-such-queue' },
      { jobQueue: 'mini-prod', jobStatus: 'DONE' as never },
      { jobQueue: 'mini-prod', nextToken: 'garbage' },
    ]) {
      expect((await rejectionOf(batch.send(new ListJobsCommand(input)))).name).toBe('ClientException');
    }
  });

  describe('with filters', () => {
    it('JOB_NAME matches case-insensitively with a trailing * prefix, any status, newest first', async () => {
      const { jobSummaryList } = await batch.send(
        new ListJobsCommand({ jobQueue: 'bulk', filters: [{ name: 'JOB_NAME', values: ['nightly-25*'] }] }),
      );
      const names = jobSummaryList?.map((job) => job.jobName) ?? [];
      expect(names.length).toBeGreaterThan(0);
      expect(names.every((name) => name?.toLowerCase().startsWith('nightly-25'))).toBe(true);
      const created = jobSummaryList?.map((job) => job.createdAt ?? 0) ?? [];
      expect(created).toEqual([...created].sort((a, b) => b - a));
    });

    it('returns every status and ignores jobStatus', async () => {
      const { jobSummaryList } = await batch.send(
        new ListJobsCommand({
          jobQueue: 'mini-prod',
          jobStatus: 'RUNNING',
          filters: [{ name: 'JOB_NAME', values: ['nightly-load'] }],
        }),
      );
      expect(jobSummaryList?.map((job) => job.status)).toEqual(['RUNNABLE', 'STARTING', 'RUNNING']);
    });

    it('JOB_DEFINITION by name matches every revision; by ARN one revision', async () => {
      const byName = await batch.send(
        new ListJobsCommand({ jobQueue: 'mini-prod', filters: [{ name: 'JOB_DEFINITION', values: ['mini-app'] }] }),
      );
      expect(new Set(byName.jobSummaryList?.map((job) => job.jobDefinition))).toEqual(
        new Set([definitionArn('mini-app:1'), definitionArn('mini-app:2')]),
      );
      const byArn = await batch.send(
        new ListJobsCommand({
          jobQueue: 'mini-prod',
          filters: [{ name: 'JOB_DEFINITION', values: [definitionArn('mini-app:1')] }],
        }),
      );
      expect(byArn.jobSummaryList?.map((job) => job.jobName)).toEqual(['legacy-load']);
      const prefix = await batch.send(
        new ListJobsCommand({ jobQueue: 'mini-prod', filters: [{ name: 'JOB_DEFINITION', values: ['mini-m*'] }] }),
      );
      expect(prefix.jobSummaryList?.map((job) => job.jobName)).toEqual(['mpi-train']);
    });

    it('BEFORE_CREATED_AT and AFTER_CREATED_AT compare createdAt in epoch ms', async () => {
      const after = await batch.send(
        new ListJobsCommand({
          jobQueue: 'mini-prod',
          filters: [{ name: 'AFTER_CREATED_AT', values: [String(T0 + 2500)] }],
        }),
      );
      expect(after.jobSummaryList?.map((job) => job.jobName)).toEqual(['mpi-train', 'fanout']);
      const before = await batch.send(
        new ListJobsCommand({ jobQueue: 'mini-prod', filters: [{ name: 'BEFORE_CREATED_AT', values: [String(T0)] }] }),
      );
      expect(before.jobSummaryList?.map((job) => job.jobName)).toEqual(['report', 'legacy-load']);
    });

    it('pages at most 100 per page', async () => {
      const pages: number[] = [];
      for await (const page of paginateListJobs(
        { client: batch },
        { jobQueue: 'bulk', filters: [{ name: 'JOB_DEFINITION', values: ['mini-app'] }] },
      )) {
        pages.push(page.jobSummaryList?.length ?? 0);
      }
      expect(pages).toHaveLength(26);
      expect(pages.slice(0, 25).every((size) => size === 100)).toBe(true);
      expect(pages[25]).toBe(30);
    });

    it('rejects two filters or an unknown filter name', async () => {
      const two = await rejectionOf(
        batch.send(
          new ListJobsCommand({
            jobQueue: 'bulk',
            filters: [
              { name: 'JOB_NAME', values: ['a'] },
              { name: 'JOB_DEFINITION', values: ['b'] },
            ],
          }),
        ),
      );
      expect(two.message).toMatch(/Only one filter/);
      const unknown = await rejectionOf(
        batch.send(new ListJobsCommand({ jobQueue: 'bulk', filters: [{ name: 'COLOUR', values: ['x'] }] })),
      );
      expect(unknown.name).toBe('ClientException');
    });
  });

  it('sees submitted jobs move through the lifecycle on the manual clock', async () => {
    const { jobId } = await batch.send(
      new SubmitJobCommand({ jobName: 'lifecycle', jobQueue: 'mini-prod', jobDefinition: 'mini-app' }),
    );
    const statusOf = async (status: 'SUBMITTED' | 'RUNNABLE' | 'STARTING' | 'RUNNING') => {
      const { jobSummaryList } = await batch.send(new ListJobsCommand({ jobQueue: 'mini-prod', jobStatus: status }));
      return jobSummaryList?.some((job) => job.jobId === jobId);
    };
    expect(await statusOf('SUBMITTED')).toBe(true);
    sandbox.advance(1000);
    expect(await statusOf('RUNNABLE')).toBe(true);
    sandbox.advance(1000);
    expect(await statusOf('STARTING')).toBe(true);
    sandbox.advance(1000);
    expect(await statusOf('RUNNING')).toBe(true);
  });
});
