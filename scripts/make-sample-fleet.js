#!/usr/bin/env node
/** Writes events/fleets/sample.json: a small fleet exercising every reference location and form (see README). */
const { writeFileSync } = require('node:fs');

const region = 'us-east-2';
const account = '123456789012';
const at = (hhmm) => Date.parse(`2026-11-28T${hhmm}:00Z`);
const sm = (rest) => `arn:aws:secretsmanager:${region}:${account}:secret:${rest}`;
const ssmArn = (name, r = region) => `arn:aws:ssm:${r}:${account}:parameter/${name}`;
const queueArn = (name) => `arn:aws:batch:${region}:${account}:job-queue/${name}`;
const defArn = (name, rev) => `arn:aws:batch:${region}:${account}:job-definition/${name}:${rev}`;
const secrets = (...values) => values.map(([name, valueFrom]) => ({ name, valueFrom }));
const policy = (p) => ({ 'rotation-reactor:policy': p });

const queue = (name, tags = {}) => ({
  jobQueueName: name,
  jobQueueArn: queueArn(name),
  state: 'ENABLED',
  status: 'VALID',
  priority: 1,
  computeEnvironmentOrder: [
    { order: 1, computeEnvironment: `arn:aws:batch:${region}:${account}:compute-environment/ce-${name}` },
  ],
  jobQueueType: 'ECS',
  tags,
});

const container = (extra) => ({
  image: 'public.ecr.aws/docker/library/busybox:stable',
  command: ['sh', '-c', 'run-job'],
  resourceRequirements: [
    { type: 'VCPU', value: '1' },
    { type: 'MEMORY', value: '2048' },
  ],
  environment: [{ name: 'STAGE', value: 'prod' }],
  executionRoleArn: `arn:aws:iam::${account}:role/batch-execution`,
  ...extra,
});

const definition = (name, revision, spec, extra = {}) => ({
  jobDefinitionName: name,
  jobDefinitionArn: defArn(name, revision),
  revision,
  status: 'ACTIVE',
  type: 'container',
  platformCapabilities: ['EC2'],
  retryStrategy: { attempts: 2 },
  timeout: { attemptDurationSeconds: 7200 },
  tags: {},
  propagateTags: false,
  containerOrchestrationType: 'ECS',
  ...spec,
  ...extra,
});

const jobDefinitions = [
  definition('etl-loader', 3, {
    containerProperties: container({
      secrets: secrets(
        ['DB_PASSWORD', '/prod/db/password'],
        ['API_KEY', ssmArn('prod/api/key:prod')],
        ['DB_USER', sm('prod/db-AbCdEf:username::')],
      ),
      logConfiguration: {
        logDriver: 'splunk',
        options: { 'splunk-url': 'https://splunk.example.com' },
        secretOptions: secrets(['splunk-token', '/prod/logging/splunk-token']),
      },
      repositoryCredentials: { credentialsParameter: sm('prod/registry-Pq56Rs') },
    }),
  }),
  definition(
    'etl-loader',
    2,
    { containerProperties: container({ secrets: secrets(['DB_PASSWORD', ssmArn('prod/db/password')]) }) },
    { status: 'INACTIVE' },
  ),
  definition('report-builder', 1, {
    containerProperties: container({
      secrets: secrets(
        ['EXAMPLE', 'MyExampleParameter'],
        ['DB', sm('prod/db')],
        ['OLD_DB_PASSWORD', '/prod/db/password:3'],
      ),
    }),
  }),
  definition('mnp-sim', 1, {
    type: 'multinode',
    nodeProperties: {
      numNodes: 2,
      mainNode: 0,
      nodeRangeProperties: [
        {
          targetNodes: '0:0',
          container: container({ secrets: secrets(['DB', '/aws/reference/secretsmanager/prod/db']) }),
        },
        {
          targetNodes: '1:',
          container: container({ secrets: secrets(['TOKEN', sm('prod/api-token-Gh12Ij::BLUE:')]) }),
        },
      ],
    },
  }),
  definition('ecs-multi', 1, {
    ecsProperties: {
      taskProperties: [
        {
          executionRoleArn: `arn:aws:iam::${account}:role/batch-execution`,
          containers: [
            {
              name: 'app',
              image: 'public.ecr.aws/docker/library/busybox:stable',
              essential: true,
              secrets: secrets(['LEGACY', sm('prod/legacy-Kl34Mn')]),
            },
            {
              name: 'sidecar',
              image: 'public.ecr.aws/docker/library/busybox:stable',
              secrets: secrets(['EU_DB', ssmArn('prod/db/password', 'eu-west-1')]),
            },
          ],
        },
      ],
    },
  }),
  definition('pinned-job', 1, {
    containerProperties: container({
      secrets: secrets(
        ['DB_V', sm('prod/db-AbCdEf:::9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE')],
        ['DB_STABLE', sm('prod/db-AbCdEf::STABLE:')],
      ),
    }),
  }),
  definition('broken', 1, {
    containerProperties: container({
      secrets: secrets(['BAD', sm('prod/db-AbCdEf:password')], ['DB_PASSWORD', '/prod/db/password']),
    }),
  }),
];

const job = (jobId, name, queueName, [defName, rev], status, startedAt, extra = {}) => ({
  jobArn: `arn:aws:batch:${region}:${account}:job/${jobId}`,
  jobName: name,
  jobId,
  jobQueue: queueArn(queueName),
  status,
  createdAt: (startedAt ?? at('11:50')) - 5 * 60_000,
  ...(startedAt === undefined ? {} : { startedAt }),
  jobDefinition: defArn(defName, rev),
  parameters: {},
  dependsOn: [],
  tags: {},
  platformCapabilities: ['EC2'],
  ...extra,
});

const jobs = [
  job('a1b2c3d4-0001-4000-8000-000000000001', 'nightly-etl', 'etl-prod', ['etl-loader', 3], 'RUNNING', at('11:00')),
  job(
    'a1b2c3d4-0002-4000-8000-000000000002',
    'nightly-etl-legacy',
    'etl-prod',
    ['etl-loader', 2],
    'RUNNING',
    at('10:00'),
    { tags: policy('flag') },
  ),
  job('a1b2c3d4-0003-4000-8000-000000000003', 'late-etl', 'etl-prod', ['etl-loader', 3], 'RUNNING', at('12:30')),
  job('a1b2c3d4-0004-4000-8000-000000000004', 'queued-etl', 'etl-prod', ['etl-loader', 3], 'RUNNABLE', undefined),
  job(
    'a1b2c3d4-0005-4000-8000-000000000005',
    'weekly-report',
    'analytics',
    ['report-builder', 1],
    'RUNNING',
    at('11:30'),
  ),
  job(
    'a1b2c3d4-0006-4000-8000-000000000006',
    'weekly-report-2',
    'analytics',
    ['report-builder', 1],
    'STARTING',
    undefined,
  ),
  job(
    'a1b2c3d4-0007-4000-8000-000000000007',
    'adhoc-report',
    'analytics',
    ['report-builder', 1],
    'RUNNING',
    at('11:10'),
    { tags: policy('ignore') },
  ),
  job('a1b2c3d4-0008-4000-8000-000000000008', 'shard-etl', 'etl-prod', ['etl-loader', 3], 'PENDING', undefined, {
    arrayProperties: { size: 3, statusSummary: { RUNNING: 2, SUCCEEDED: 1 } },
  }),
  ...[0, 1].map((i) =>
    job(
      `a1b2c3d4-0008-4000-8000-000000000008:${i}`,
      'shard-etl',
      'etl-prod',
      ['etl-loader', 3],
      'RUNNING',
      at('11:05'),
      { arrayProperties: { index: i } },
    ),
  ),
  job('a1b2c3d4-0008-4000-8000-000000000008:2', 'shard-etl', 'etl-prod', ['etl-loader', 3], 'SUCCEEDED', at('11:05'), {
    arrayProperties: { index: 2 },
    stoppedAt: at('11:20'),
  }),
  job('a1b2c3d4-0009-4000-8000-000000000009', 'simulation', 'analytics', ['mnp-sim', 1], 'RUNNING', at('11:00'), {
    nodeProperties: { numNodes: 2, mainNode: 0 },
  }),
  job('a1b2c3d4-0010-4000-8000-000000000010', 'legacy-sync', 'analytics', ['ecs-multi', 1], 'RUNNING', at('11:00'), {
    tags: policy('resubmit'),
  }),
  job('a1b2c3d4-0011-4000-8000-000000000011', 'pinned-audit', 'analytics', ['pinned-job', 1], 'RUNNING', at('09:00')),
  job('a1b2c3d4-0012-4000-8000-000000000012', 'broken-refs', 'analytics', ['broken', 1], 'RUNNING', at('11:00')),
  job('a1b2c3d4-0013-4000-8000-000000000013', 'finished-etl', 'etl-prod', ['etl-loader', 3], 'SUCCEEDED', at('08:00'), {
    stoppedAt: at('09:00'),
  }),
];

// What Parameter Store and Secrets Manager say about the resources above after the sample events (names, versions,
// stages, dates; never a value), for the sandbox's SSM / Secrets Manager metadata APIs and so for `sweep`. Deleted by
// the samples, MyExampleParameter is absent; the eu-west-1 parameter is another region's.
const day = (date, hhmm = '12:00') => `${date}T${hhmm}:00Z`;
const version = (versionId, stages, createdDate) => ({ versionId, stages, createdDate });
const metadata = {
  parameters: [
    { name: '/prod/db/password', type: 'SecureString', version: 4, lastModifiedDate: day('2026-11-28') },
    { name: '/prod/api/key', type: 'SecureString', version: 3, lastModifiedDate: day('2026-11-20', '08:00') },
    { name: '/prod/logging/splunk-token', type: 'SecureString', version: 1, lastModifiedDate: day('2026-10-01') },
  ],
  secrets: [
    {
      name: 'prod/db',
      arn: sm('prod/db-AbCdEf'),
      createdDate: day('2026-06-01'),
      versions: [
        version('9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE', ['AWSPREVIOUS', 'STABLE'], day('2026-10-28')),
        version('a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', ['AWSCURRENT'], day('2026-11-28')),
      ],
    },
    {
      name: 'prod/registry',
      arn: sm('prod/registry-Pq56Rs'),
      versions: [version('0b7e5c1a-2f3d-4e5f-8a9b-registry0001', ['AWSCURRENT'], day('2026-08-01'))],
    },
    {
      name: 'prod/api-token',
      arn: sm('prod/api-token-Gh12Ij'),
      versions: [version('5e6f7a8b-9c0d-4e1f-a2b3-apitoken0001', ['AWSCURRENT', 'BLUE'], day('2026-11-01'))],
    },
    {
      name: 'prod/legacy',
      arn: sm('prod/legacy-Kl34Mn'),
      versions: [version('7c8d9e0f-1a2b-4c3d-b4e5-legacy000001', ['AWSCURRENT'], day('2025-03-01'))],
    },
  ],
};

const fleet = {
  region,
  account,
  jobQueues: [queue('etl-prod', policy('resubmit')), queue('analytics')],
  jobDefinitions,
  jobs,
  metadata,
};
writeFileSync(`${__dirname}/../events/fleets/sample.json`, `${JSON.stringify(fleet, null, 2)}\n`);
