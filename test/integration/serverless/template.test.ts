import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { toLedgerTableDefinition, toLedgerTimeToLive } from '../../../lib/adapters/ledger-table';
import { CONFIG_VARIABLES, loadConfig } from '../../../lib/runtime/config';
import {
  type CfnTemplate,
  evaluateConditions,
  loadPackagedService,
  resolveIntrinsics,
  resourcesOfType,
} from '../../support/serverless-template';

let template: CfnTemplate;
let packageDir: string;

beforeAll(async () => {
  ({ template, dir: packageDir } = await loadPackagedService());
}, 180_000);

const resource = (id: string) => {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id} in the compiled template`);
  return found;
};
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON, read here by path.
const props = (id: string) => resource(id).Properties as Record<string, any>;
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const ref = (id: string) => ({ Ref: id });

const NOT_REPLAYED = { 'replay-name': [{ exists: false }] };

const PARAMETER_STORE = {
  source: ['aws.ssm'],
  $or: [
    {
      'detail-type': ['Parameter Store Change'],
      detail: {
        name: [{ exists: true }],
        $or: [
          { operation: ['Create', 'Update', 'Delete'] },
          { operation: ['LabelParameterVersion'], label: [{ exists: true }] },
        ],
      },
    },
    {
      'detail-type': ['Parameter Store Policy Action'],
      detail: {
        'policy-type': ['Expiration'],
        $or: [{ 'parameter-name': [{ exists: true }] }, { name: [{ exists: true }] }],
      },
    },
  ],
};

const SECRET_LABEL = {
  source: ['aws.secretsmanager'],
  'detail-type': ['Secret Label Updated'],
  detail: { labelUpdated: [{ exists: true }] },
};

const SECRETS_MANAGER_CLOUDTRAIL = {
  source: ['aws.secretsmanager'],
  'detail-type': ['AWS API Call via CloudTrail', 'AWS Service Event via CloudTrail'],
  detail: {
    eventSource: ['secretsmanager.amazonaws.com'],
    errorCode: [{ exists: false }],
    $or: [
      { eventName: ['PutSecretValue', 'RotationSucceeded', 'DeleteSecret'] },
      { eventName: ['UpdateSecret'], responseElements: { versionId: [{ exists: true }] } },
      { eventName: ['UpdateSecret'], requestParameters: { clientRequestToken: [{ exists: true }] } },
      { eventName: ['UpdateSecret'], requestParameters: { secretString: [{ exists: true }] } },
      { eventName: ['UpdateSecret'], requestParameters: { secretBinary: [{ exists: true }] } },
      {
        eventName: ['UpdateSecretVersionStage'],
        requestParameters: { versionStage: [{ exists: true }], moveToVersionId: [{ exists: true }] },
      },
    ],
  },
};

const CHANGE_RULES = ['ParameterStoreRule', 'SecretLabelRule', 'SecretsManagerCloudTrailRule', 'ReplayRule'];

const withCloudTrail = (enabled: boolean) => ({ conditions: { CloudTrailFallback: enabled } });

describe('serverless.yml change routing', () => {
  it.each([
    ['ParameterStoreRule', { ...PARAMETER_STORE, ...NOT_REPLAYED }],
    ['SecretLabelRule', { ...SECRET_LABEL, ...NOT_REPLAYED }],
    ['SecretsManagerCloudTrailRule', { ...SECRETS_MANAGER_CLOUDTRAIL, ...NOT_REPLAYED }],
  ])('gives %s its exact live pattern', (id, pattern) => {
    expect(props(id).EventPattern).toEqual(pattern);
    expect(props(id).State).toBe('ENABLED');
  });

  it('lists exactly the Secrets Manager CloudTrail events the reactor handles, and no failed call', () => {
    const detail = props('SecretsManagerCloudTrailRule').EventPattern.detail;
    const names = [...new Set(detail.$or.flatMap((branch: { eventName: string[] }) => branch.eventName))].sort();
    expect(names).toEqual([
      'DeleteSecret',
      'PutSecretValue',
      'RotationSucceeded',
      'UpdateSecret',
      'UpdateSecretVersionStage',
    ]);
    expect(detail.errorCode).toEqual([{ exists: false }]);
  });

  it('creates the CloudTrail rule only when the EnableCloudTrailFallback stack parameter is true (off by default)', () => {
    expect(resource('SecretsManagerCloudTrailRule').Condition).toBe('CloudTrailFallback');
    expect(template.Parameters?.EnableCloudTrailFallback).toMatchObject({ Default: 'false' });
    expect(evaluateConditions(template)).toMatchObject({ CloudTrailFallback: false });
    expect(evaluateConditions(template, { EnableCloudTrailFallback: 'true' })).toMatchObject({
      CloudTrailFallback: true,
    });
  });

  it('keeps replayed events out of every live rule', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule');
    const live = Object.entries(rules).filter(([id, rule]) => rule.Properties?.EventPattern && id !== 'ReplayRule');
    expect(live.map(([id]) => id).sort()).toEqual([
      'JobStateChangeRule',
      'ParameterStoreRule',
      'SecretLabelRule',
      'SecretsManagerCloudTrailRule',
    ]);
    for (const [id] of live) expect(props(id).EventPattern['replay-name']).toEqual([{ exists: false }]);
  });

  it.each([
    true,
    false,
  ])('routes replayed change events through ReplayRule only (CloudTrail fallback %s)', (enabled) => {
    const pattern = resolveIntrinsics(props('ReplayRule').EventPattern, withCloudTrail(enabled));
    const branches = enabled
      ? [PARAMETER_STORE, SECRET_LABEL, SECRETS_MANAGER_CLOUDTRAIL]
      : [PARAMETER_STORE, SECRET_LABEL];
    expect(pattern).toEqual({ 'replay-name': [{ exists: true }], $or: branches });
  });

  it.each(CHANGE_RULES)('sends %s to the change queue with a rule-level dead-letter queue and a retry policy', (id) => {
    expect(props(id).Targets).toEqual([
      {
        Id: 'change-queue',
        Arn: getAtt('ChangeQueue'),
        DeadLetterConfig: { Arn: getAtt('ChangeDeadLetterQueue') },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      },
    ]);
  });

  it.each([true, false])('archives the change events of the default bus (CloudTrail fallback %s)', (enabled) => {
    const archive = props('ChangeArchive');
    expect(archive.SourceArn).toEqual({
      'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/default`,
    });
    expect(archive.RetentionDays).toBe(30);
    expect(archive.ArchiveName).toBe('rotation-reactor-dev-changes');
    const branches = enabled
      ? [PARAMETER_STORE, SECRET_LABEL, SECRETS_MANAGER_CLOUDTRAIL]
      : [PARAMETER_STORE, SECRET_LABEL];
    expect(resolveIntrinsics(archive.EventPattern, withCloudTrail(enabled))).toEqual({ $or: branches });
  });

  it('keeps every pattern within the EventBridge size limit (4096 characters)', () => {
    const patterns = [
      ...Object.values(resourcesOfType(template, 'AWS::Events::Rule')).map((rule) => rule.Properties?.EventPattern),
      props('ChangeArchive').EventPattern,
    ].filter(Boolean);
    for (const pattern of patterns) {
      expect(JSON.stringify(resolveIntrinsics(pattern, withCloudTrail(true))).length).toBeLessThan(4096);
    }
  });
});

describe('serverless.yml change queue', () => {
  it('redrives to the dead-letter queue after maxReceiveCount deliveries', () => {
    expect(props('ChangeQueue').RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt('ChangeDeadLetterQueue'),
      maxReceiveCount: 5,
    });
    expect(props('ChangeDeadLetterQueue').MessageRetentionPeriod).toBe(1209600);
  });

  it('encrypts every queue at rest', () => {
    for (const queue of Object.values(resourcesOfType(template, 'AWS::SQS::Queue'))) {
      expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    }
  });

  it('feeds onChangeBatch through an event source mapping with partial batch failures', () => {
    const mappings = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(1);
    expect(mappings[0].Properties).toEqual({
      EventSourceArn: getAtt('ChangeQueue'),
      FunctionName: getAtt('OnChangeBatchLambdaFunction'),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 20,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
      Enabled: true,
    });
  });

  it('hides a batch in flight for at least six function timeouts plus the batching window', () => {
    const timeout = props('OnChangeBatchLambdaFunction').Timeout;
    const [mappingId] = Object.keys(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'));
    const mapping = props(mappingId);
    expect(props('ChangeQueue').VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * timeout + mapping.MaximumBatchingWindowInSeconds,
    );
    // Even with the longest window SQS allows, so the batching window parameter cannot break the rule.
    expect(props('ChangeQueue').VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout + 300);
  });

  it('lets EventBridge send only from the change rules, to the queue and its dead-letter queue', () => {
    const policy = props('ChangeQueuePolicy');
    expect(policy.Queues).toEqual([ref('ChangeQueue'), ref('ChangeDeadLetterQueue')]);
    const rules = [
      getAtt('ParameterStoreRule'),
      getAtt('SecretLabelRule'),
      { 'Fn::If': ['CloudTrailFallback', getAtt('SecretsManagerCloudTrailRule'), ref('AWS::NoValue')] },
      getAtt('ReplayRule'),
    ];
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        // Any principal of the account with sqs:SendMessage could forge aws.ssm events: denied explicitly.
        Sid: 'OnlyTheRulesSend',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:SendMessage',
        Resource: [getAtt('ChangeQueue'), getAtt('ChangeDeadLetterQueue')],
        Condition: {
          ArnNotEquals: { 'aws:SourceArn': rules },
          ArnNotLike: {
            'aws:PrincipalArn': {
              'Fn::If': [
                'HasChangeQueueSenders',
                { 'Fn::Split': [',', ref('ChangeQueueSenders')] },
                { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/rotation-reactor-no-other-sender` },
              ],
            },
          },
        },
      },
      {
        Sid: 'ChangeRulesOnly',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: [getAtt('ChangeQueue'), getAtt('ChangeDeadLetterQueue')],
        Condition: {
          ArnEquals: {
            'aws:SourceArn': [
              getAtt('ParameterStoreRule'),
              getAtt('SecretLabelRule'),
              { 'Fn::If': ['CloudTrailFallback', getAtt('SecretsManagerCloudTrailRule'), ref('AWS::NoValue')] },
              getAtt('ReplayRule'),
            ],
          },
        },
      },
    ]);
  });
});

describe('serverless.yml other triggers', () => {
  it('runs onSweep on the sweep schedule', () => {
    const schedules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter(
      (rule) => rule.Properties?.ScheduleExpression,
    );
    expect(schedules).toHaveLength(1);
    expect(schedules[0].Properties).toMatchObject({
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [{ Arn: getAtt('OnSweepLambdaFunction') }],
    });
  });

  it('sends FAILED Batch jobs to onJobStateChange, with retries and a dead-letter queue', () => {
    expect(props('JobStateChangeRule').EventPattern).toEqual({
      source: ['aws.batch'],
      'detail-type': ['Batch Job State Change'],
      detail: { status: ['FAILED'] },
      ...NOT_REPLAYED,
    });
    expect(props('JobStateChangeRule').Targets).toEqual([
      {
        Id: 'on-job-state-change',
        Arn: getAtt('OnJobStateChangeLambdaFunction'),
        DeadLetterConfig: { Arn: getAtt('JobStateDeadLetterQueue') },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      },
    ]);
    expect(props('JobStateChangeInvokePermission')).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt('OnJobStateChangeLambdaFunction'),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt('JobStateChangeRule'),
    });
    expect(props('OnJobStateChangeLambdaEvConf')).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: getAtt('JobStateDeadLetterQueue') } },
    });
    expect(props('JobStateDeadLetterQueuePolicy').PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': getAtt('JobStateChangeRule') } },
      }),
    ]);
  });

  it('gives onReplay no trigger', () => {
    const triggers = ['AWS::Events::Rule', 'AWS::Lambda::EventSourceMapping', 'AWS::Lambda::Permission'].flatMap(
      (type) => Object.values(resourcesOfType(template, type)),
    );
    expect(JSON.stringify(triggers)).not.toContain('OnReplayLambdaFunction');
  });
});

describe('serverless.yml functions', () => {
  const FUNCTIONS = {
    OnChangeBatchLambdaFunction: 'handlers/on-change-batch.handler',
    OnSweepLambdaFunction: 'handlers/on-sweep.handler',
    OnJobStateChangeLambdaFunction: 'handlers/on-job-state-change.handler',
    OnReplayLambdaFunction: 'handlers/on-replay.handler',
  };
  const ids = Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[];

  it('has exactly the four handlers', () => {
    expect(Object.keys(resourcesOfType(template, 'AWS::Lambda::Function')).sort()).toEqual([...ids].sort());
    for (const id of ids) expect(props(id).Handler).toBe(FUNCTIONS[id]);
  });

  it.each(ids)('runs %s on nodejs22.x with active tracing', (id) => {
    expect(props(id)).toMatchObject({ Runtime: 'nodejs22.x', TracingConfig: { Mode: 'Active' } });
  });

  it.each(ids)('gives %s every REACTOR_* variable loadConfig reads, and a configuration it accepts', (id) => {
    const variables = props(id).Environment.Variables;
    // Lambda itself sets AWS_REGION.
    for (const name of CONFIG_VARIABLES.filter((n) => n !== 'AWS_REGION')) expect(variables).toHaveProperty(name);
    expect(variables.REACTOR_ACCOUNT_ID).toEqual(ref('AWS::AccountId'));
    expect(variables.REACTOR_LEDGER_TABLE).toEqual(ref('LedgerTable'));
    expect(variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'rotation-reactor',
      POWERTOOLS_METRICS_NAMESPACE: 'RotationReactor',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    const env = resolveIntrinsics(variables, {
      refs: {
        'AWS::AccountId': '123456789012',
        LedgerTable: 'rotation-reactor-dev-LedgerTable-1A2B3C',
        SubmitJobQueues: 'none',
        SubmitJobDefinitions: 'none',
        SubmitTagValue: 'none',
      },
    }) as Record<string, string>;
    expect(loadConfig({ ...env, AWS_REGION: 'us-east-2' })).toMatchObject({
      account: '123456789012',
      eventBus: 'default',
      defaultPolicy: 'flag',
      mode: 'apply',
      queues: [],
      batchTps: 10,
      maxResubmitsPerChange: 25,
      staleMarginMs: 60_000,
      paused: false,
      // Nothing may be submitted until the operator names queues and definitions (or the tag): not-permitted.
      submitScope: { queues: [], definitions: [] },
    });
  });

  it.each([
    ['onChangeBatch', 'handlers/on-change-batch.js'],
    ['onSweep', 'handlers/on-sweep.js'],
    ['onJobStateChange', 'handlers/on-job-state-change.js'],
    ['onReplay', 'handlers/on-replay.js'],
  ])('bundles %s into one file, without a node_modules folder (test/deploy checks what it imports)', (name, bundle) => {
    const listing = execFileSync('python3', ['-m', 'zipfile', '-l', join(packageDir, `${name}.zip`)], {
      encoding: 'utf8',
    });
    expect(listing).toContain(bundle);
    expect(listing).not.toContain('node_modules');
  });
});

describe('serverless.yml ledger table', () => {
  it('matches toLedgerTableDefinition: keys, attributes, both GSIs, on-demand billing', () => {
    const { TableName: _, ...definition } = toLedgerTableDefinition('ignored');
    const { TimeToLiveSpecification, PointInTimeRecoverySpecification, ...table } = props('LedgerTable');
    // CloudFormation names the table; the functions get the name through REACTOR_LEDGER_TABLE.
    expect(table).toEqual(definition);
    expect(TimeToLiveSpecification).toEqual(toLedgerTimeToLive('ignored').TimeToLiveSpecification);
    expect(PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('outlives the stack', () => {
    expect(resource('LedgerTable')).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('serverless.yml dashboard', () => {
  type Widget = { type: string; properties: { title?: string; query?: string; metrics?: unknown[][] } };
  let widgets: Widget[];
  let substitutions: string[];

  beforeAll(() => {
    const body = props('Dashboard').DashboardBody['Fn::Sub'] as string;
    substitutions = [...body.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]);
    widgets = JSON.parse(body.replace(/\$\{([^}]+)\}/g, '<$1>')).widgets;
  });

  const metricsOf = (title: string) => {
    const widget = widgets.find((w) => w.properties.title === title);
    if (!widget) throw new Error(`no widget "${title}"`);
    return widget.properties.metrics;
  };
  const reactorMetric = (name: string, options?: object) =>
    expect.arrayContaining([
      'RotationReactor',
      name,
      'service',
      'rotation-reactor',
      ...(options ? [expect.objectContaining(options)] : []),
    ]);

  it('substitutes only pseudo parameters and resources of the stack', () => {
    for (const name of substitutions) {
      const [id] = name.split('.');
      expect(id.startsWith('AWS::') || id in template.Resources).toBe(true);
    }
  });

  it('shows actions and failures over time', () => {
    expect(metricsOf('Actions')).toEqual([
      reactorMetric('JobsFlagged'),
      reactorMetric('JobsResubmitted'),
      reactorMetric('ActionsFailed'),
    ]);
  });

  it('shows stale jobs and rejected events', () => {
    expect(metricsOf('Stale jobs found')).toEqual([reactorMetric('JobsStale')]);
    expect(metricsOf('Change events')).toEqual(expect.arrayContaining([reactorMetric('ChangesRejected')]));
  });

  it('shows change lag p50 / p99 and the onChangeBatch duration', () => {
    expect(metricsOf('Latency')).toEqual([
      reactorMetric('ChangeLagSeconds', { stat: 'p50' }),
      reactorMetric('ChangeLagSeconds', { stat: 'p99' }),
      expect.arrayContaining(['AWS/Lambda', 'Duration', 'FunctionName', '<OnChangeBatchLambdaFunction>']),
    ]);
  });

  it('shows the dead-letter queue depth', () => {
    expect(metricsOf('Dead-letter queues and backlog')).toEqual(
      expect.arrayContaining([
        expect.arrayContaining([
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          '<ChangeDeadLetterQueue.QueueName>',
        ]),
      ]),
    );
  });

  it('lists recent job actions with Logs Insights on the onChangeBatch log group', () => {
    const logs = widgets.filter((w) => w.type === 'log');
    expect(logs).toHaveLength(1);
    expect(logs[0].properties.query).toContain("SOURCE '<OnChangeBatchLogGroup>'");
    expect(logs[0].properties.query).toMatch(
      /\| fields @timestamp, jobId, action, status, replacementJobId \| filter message = "job action" \| sort @timestamp desc \| limit 50$/,
    );
  });
});

describe('serverless.yml outputs', () => {
  it('exports the queue URLs, table name, archive ARN and dashboard name', () => {
    expect(template.Outputs).toMatchObject({
      ChangeQueueUrl: { Value: ref('ChangeQueue') },
      ChangeDeadLetterQueueUrl: { Value: ref('ChangeDeadLetterQueue') },
      LedgerTableName: { Value: ref('LedgerTable') },
      ChangeArchiveArn: { Value: getAtt('ChangeArchive') },
      ReplayRuleArn: { Value: getAtt('ReplayRule') },
      DashboardName: { Value: ref('Dashboard') },
    });
  });
});
