/**
 * The fleet of the deployment tests: events/fleets/sample.json (the fleet of the README's `plan` example, made for
 * the sample events under events/), plus what it takes for the resubmissions to carry every member the reactor can
 * send in a SubmitJob: a fair-share queue and a job with a share identifier, scheduling priority, parameters,
 * container overrides, retry strategy, timeout and propagated tags; a job of an ECS-properties definition; the
 * multi-node job resubmitted (its definition has an open-ended node range, which DescribeJobs returns with the job);
 * and the job of the sample job-failure event flagged `resubmit-on-failure`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchJob, BatchJobDefinition, BatchJobQueue, FleetSnapshot } from '../../../lib/core/fleet';
import { POLICY_TAG } from '../../../lib/core/policy';

const SAMPLE = join(__dirname, '../../../events/fleets/sample.json');
const ARN = 'arn:aws:batch:us-east-2:123456789012';

/** Jobs of the sample the tests refer to by id. */
export const SAMPLE_JOBS = {
  weeklyReport: 'a1b2c3d4-0005-4000-8000-000000000005',
  simulation: 'a1b2c3d4-0009-4000-8000-000000000009',
} as const;

const fairQueue: BatchJobQueue = {
  jobQueueName: 'etl-fair',
  jobQueueArn: `${ARN}:job-queue/etl-fair`,
  state: 'ENABLED',
  status: 'VALID',
  priority: 1,
  schedulingPolicyArn: `${ARN}:scheduling-policy/etl-fair-share`,
  tags: { [POLICY_TAG]: 'resubmit' },
};

const ecsDefinition: BatchJobDefinition = {
  jobDefinitionName: 'ecs-etl',
  jobDefinitionArn: `${ARN}:job-definition/ecs-etl:1`,
  revision: 1,
  status: 'ACTIVE',
  type: 'container',
  platformCapabilities: ['EC2'],
  containerOrchestrationType: 'ECS',
  ecsProperties: {
    taskProperties: [
      {
        executionRoleArn: 'arn:aws:iam::123456789012:role/batch-execution',
        containers: [
          {
            name: 'app',
            image: 'public.ecr.aws/docker/library/busybox:stable',
            essential: true,
            secrets: [{ name: 'DB_PASSWORD', valueFrom: '/prod/db/password' }],
          },
          { name: 'sidecar', image: 'public.ecr.aws/docker/library/busybox:stable' },
        ],
      },
    ],
  },
};

const started = { createdAt: 1795863300000, startedAt: 1795863600000, status: 'RUNNING' } as const;

const sharedJob: BatchJob = {
  jobArn: `${ARN}:job/a1b2c3d4-0101-4000-8000-000000000101`,
  jobId: 'a1b2c3d4-0101-4000-8000-000000000101',
  jobName: 'shared-etl',
  jobQueue: fairQueue.jobQueueArn,
  jobDefinition: `${ARN}:job-definition/etl-loader:3`,
  ...started,
  parameters: { day: '2026-11-28' },
  shareIdentifier: 'blue',
  schedulingPriority: 5,
  retryStrategy: { attempts: 3 },
  timeout: { attemptDurationSeconds: 3600 },
  propagateTags: true,
  tags: { team: 'data' },
  platformCapabilities: ['EC2'],
  container: {
    image: 'public.ecr.aws/docker/library/busybox:stable',
    command: ['sh', '-c', 'run-job', 'Ref::day'],
    environment: [
      { name: 'STAGE', value: 'prod' },
      { name: 'AWS_BATCH_JOB_ID', value: 'a1b2c3d4-0101-4000-8000-000000000101' },
    ],
    resourceRequirements: [
      { type: 'VCPU', value: '2' },
      { type: 'MEMORY', value: '4096' },
    ],
    secrets: [{ name: 'DB_PASSWORD', valueFrom: '/prod/db/password' }],
  },
};

const ecsJob: BatchJob = {
  jobArn: `${ARN}:job/a1b2c3d4-0102-4000-8000-000000000102`,
  jobId: 'a1b2c3d4-0102-4000-8000-000000000102',
  jobName: 'ecs-etl',
  jobQueue: `${ARN}:job-queue/etl-prod`,
  jobDefinition: ecsDefinition.jobDefinitionArn,
  ...started,
  tags: {},
  platformCapabilities: ['EC2'],
  ecsProperties: {
    taskProperties: [
      {
        containers: [
          {
            name: 'app',
            image: 'public.ecr.aws/docker/library/busybox:stable',
            command: ['sh', '-c', 'load'],
            environment: [{ name: 'STAGE', value: 'prod' }],
            secrets: [{ name: 'DB_PASSWORD', valueFrom: '/prod/db/password' }],
          },
          {
            name: 'sidecar',
            image: 'public.ecr.aws/docker/library/busybox:stable',
            command: ['sh', '-c', 'ship-logs'],
          },
        ],
      },
    ],
  },
};

const retag: Readonly<Record<string, string>> = {
  [SAMPLE_JOBS.simulation]: 'resubmit',
  [SAMPLE_JOBS.weeklyReport]: 'resubmit-on-failure',
};

// DescribeJobs returns a multi-node main job with its node ranges (the sample keeps only numNodes and mainNode).
const withNodeRanges = (job: BatchJob, definitions: readonly BatchJobDefinition[]): BatchJob => {
  const definition = definitions.find((d) => d.jobDefinitionArn === job.jobDefinition);
  if (!job.nodeProperties || !definition?.nodeProperties) return job;
  return { ...job, nodeProperties: { ...definition.nodeProperties, ...job.nodeProperties } };
};

/** The deployment tests' fleet (a new copy each call). */
export function loadDeployFleet(): FleetSnapshot {
  const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as FleetSnapshot;
  return {
    ...sample,
    jobQueues: [...sample.jobQueues, fairQueue],
    jobDefinitions: [...sample.jobDefinitions, ecsDefinition],
    jobs: [
      ...sample.jobs
        .map((job) => withNodeRanges(job, sample.jobDefinitions))
        .map((job) => (retag[job.jobId] ? { ...job, tags: { ...job.tags, [POLICY_TAG]: retag[job.jobId] } } : job)),
      sharedJob,
      ecsJob,
    ],
  };
}
