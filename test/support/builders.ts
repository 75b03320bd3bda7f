import type { Change } from '../../lib/core/change';
import type { FleetView } from '../../lib/core/decision';
import type { BatchJob, BatchJobDefinition, BatchJobQueue, FleetSnapshot } from '../../lib/core/fleet';
import type { Home, Resource } from '../../lib/core/reference';

export const HOME: Home = { partition: 'aws', region: 'us-east-2', account: '123456789012' };
export const T0 = Date.parse('2026-11-28T12:00:00Z');
export const MINUTE = 60_000;

let sequence = 0;
const nextId = () => `job-${++sequence}`;

export const aQueue = (overrides: Partial<BatchJobQueue> = {}): BatchJobQueue => ({
  jobQueueName: 'main',
  jobQueueArn: 'arn:aws:batch:us-east-2:123456789012:job-queue/main',
  state: 'ENABLED',
  status: 'VALID',
  ...overrides,
});

export const aDefinition = (
  secrets: readonly string[] = ['/prod/db/password'],
  overrides: Partial<BatchJobDefinition> = {},
): BatchJobDefinition => {
  const name = overrides.jobDefinitionName ?? 'etl';
  const revision = overrides.revision ?? 1;
  return {
    jobDefinitionName: name,
    revision,
    jobDefinitionArn: `arn:aws:batch:us-east-2:123456789012:job-definition/${name}:${revision}`,
    status: 'ACTIVE',
    type: 'container',
    containerProperties: {
      image: 'public.ecr.aws/docker/library/busybox',
      secrets: secrets.map((valueFrom, i) => ({ name: `SECRET_${i}`, valueFrom })),
    },
    ...overrides,
  };
};

export const aJob = (overrides: Partial<BatchJob> = {}): BatchJob => {
  const jobId = overrides.jobId ?? nextId();
  return {
    jobId,
    jobArn: `arn:aws:batch:us-east-2:123456789012:job/${jobId}`,
    jobName: `name-${jobId}`,
    jobQueue: aQueue().jobQueueArn,
    jobDefinition: aDefinition().jobDefinitionArn,
    status: 'RUNNING',
    createdAt: T0 - 20 * MINUTE,
    startedAt: T0 - 10 * MINUTE,
    ...overrides,
  };
};

export const ssm = (name: string, overrides: Partial<Home> = {}): Resource => ({
  kind: 'ssm',
  ...HOME,
  ...overrides,
  name,
});
export const secret = (secretId: string, complete = true, overrides: Partial<Home> = {}): Resource => ({
  kind: 'secret',
  ...HOME,
  ...overrides,
  secretId,
  complete,
});

/** A secret an event names by its bare name only (no ARN). */
export const named = (secretId: string, overrides: Partial<Home> = {}): Resource => ({
  kind: 'secret',
  ...HOME,
  ...overrides,
  secretId,
  complete: false,
  bareName: true,
});

export const aChange = (overrides: Partial<Change> = {}): Change => ({
  service: overrides.resource?.kind === 'secret' ? 'secretsmanager' : 'ssm',
  kind: 'Parameter Store Change/Update',
  resource: ssm('/prod/db/password'),
  effect: { kind: 'value-changed' },
  changedAt: T0,
  eventId: `event-${++sequence}`,
  ...overrides,
});

export const aFleet = (overrides: Partial<FleetView> = {}): FleetView => ({
  home: HOME,
  queues: [aQueue()],
  definitions: [aDefinition()],
  jobs: [],
  ...overrides,
});

/** The one job queue most integration tests use. */
export const QUEUE = aQueue({ jobQueueName: 'q', jobQueueArn: 'arn:aws:batch:us-east-2:123456789012:job-queue/q' });
/** A definition revision reading `/prod/db/password`. */
export const ETL = aDefinition(['/prod/db/password'], { jobDefinitionName: 'etl' });

/** A fleet snapshot in the builders' region and account, with QUEUE and ETL unless overridden. */
export const aSnapshot = (overrides: Partial<FleetSnapshot> = {}): FleetSnapshot => ({
  region: HOME.region,
  account: HOME.account,
  jobQueues: [QUEUE],
  jobDefinitions: [ETL],
  jobs: [],
  ...overrides,
});
