/**
 * What `sls package` ships, deployed and run: the compiled stack is deployed into moto's CloudFormation, sample
 * events are put on moto's EventBridge and travel through the stack's own rules to its queues, and the packaged
 * bundles (unzipped, run as Lambda runs them: test/deploy/support/lambda-runtime.ts) process them against the Batch
 * sandbox (Batch) and moto (DynamoDB ledger table and EventBridge bus of the stack). The moto gaps the harness works
 * around are listed in test/deploy/support/emulated-stack.ts.
 */
import { BatchClient } from '@aws-sdk/client-batch';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { toResubmission } from '../../lib/adapters/resubmission';
import type { PlanOptions } from '../../lib/core/decision';
import type { BatchJob, FleetSnapshot } from '../../lib/core/fleet';
import { parseLineageTag, REPLACES_TAG } from '../../lib/core/keys';
import { parseChanges } from '../../lib/core/parse-events';
import { plan } from '../../lib/core/plan';
import { loadConfig } from '../../lib/runtime/config';
import { type Sandbox, startSandbox } from '../../lib/sandbox';
import { type Envelope, loadSampleEvent, toPutEventsEntry } from '../support/events';
import { type Moto, startMoto } from '../support/moto';
import { loadPackagedService, type PackagedService } from '../support/serverless-template';
import { loadDeployFleet, SAMPLE_JOBS } from './support/deploy-fleet';
import {
  type ChangeBatchDelivery,
  createMotoClients,
  createQueue,
  type DeployedStack,
  deliverChangeBatch,
  deployStack,
  drainQueue,
  type MotoClients,
  queueOf,
  updateStackParameters,
} from './support/emulated-stack';
import { type FunctionProcess, type Invocation, startFunction } from './support/lambda-runtime';
import { startXrayDaemon, type XrayDaemon } from './support/xray-daemon';

const REGION = 'us-east-2';
const STACK = 'rotation-reactor-dev';
// Each step runs the packaged functions on the shipped settings (Batch budget 10 TPS): slow on a busy machine.
jest.setTimeout(120_000);

const PARAMETER_UPDATE = loadSampleEvent('ssm/parameter-store-change.update.json');
const SECRET_LABEL = loadSampleEvent('secretsmanager/secret-label-updated.awscurrent.json');
const JOB_FAILED = loadSampleEvent('batch/job-state-change.failed.json');
const CLOUDTRAIL_PUT = loadSampleEvent('secretsmanager/cloudtrail.put-secret-value.json');
// Put beside the live changes; no rule of the stack may take them (with the CloudTrail fallback off, the default).
const NOT_FOR_THE_STACK: Record<string, Envelope> = {
  'expiration notification': loadSampleEvent('ssm/parameter-store-policy-action.expiration-notification.json'),
  'RotateSecret via CloudTrail': loadSampleEvent('secretsmanager/cloudtrail.rotate-secret.json'),
  'PutSecretValue via CloudTrail (fallback off)': CLOUDTRAIL_PUT,
  'a job that SUCCEEDED': { ...JOB_FAILED, detail: { ...JOB_FAILED.detail, status: 'SUCCEEDED' } },
  'an EC2 event': loadSampleEvent('malformed/ec2-event.json'),
};

// Every member the reactor puts in a SubmitJob (lib/adapters/resubmission.ts); the fleet makes each one appear.
const SUBMIT_JOB_MEMBERS = [
  'arrayProperties',
  'containerOverrides',
  'ecsPropertiesOverride',
  'jobDefinition',
  'jobName',
  'jobQueue',
  'nodeOverrides',
  'parameters',
  'propagateTags',
  'retryStrategy',
  'schedulingPriorityOverride',
  'shareIdentifier',
  'tags',
  'timeout',
];
const WRITES = ['SubmitJob', 'TerminateJob', 'TagResource'];
// The resource types moto's ListStackResources names by logical id (emulated-stack.ts, quirk 5).
const NAMED_BY_MOTO = [
  'AWS::CloudWatch::Dashboard',
  'AWS::DynamoDB::Table',
  'AWS::Events::Rule',
  'AWS::IAM::Role',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Function',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
];

type JobAction = { jobId: string; action: string; status: string };
type OutputEvent = { 'detail-type': string; detail: Record<string, unknown> };

let packaged: PackagedService;
let moto: Moto;
let clients: MotoClients;
let stack: DeployedStack;
let fleet: FleetSnapshot;
let sandbox: Sandbox;
let xray: XrayDaemon;
let batch: BatchClient;
let changeBatch: FunctionProcess;
let jobStateChange: FunctionProcess;
let changeQueue: { url: string; arn: string };
let observedOutput: string;
let planOptions: PlanOptions;
// The first and second deliveries to the same onChangeBatch environment.
let live: ChangeBatchDelivery;
let replay: ChangeBatchDelivery;
const started: FunctionProcess[] = [];

const functionOf = (id: string) => ({
  zipFile: stack.zipFiles[id],
  configuration: stack.functions[id],
  region: REGION,
  endpoints: { default: moto.endpoint, BATCH: sandbox.endpoint },
  xrayDaemonAddress: xray.address,
});
const start = async (options: Parameters<typeof startFunction>[0]) => {
  const fn = await startFunction(options);
  started.push(fn);
  return fn;
};
const jobActions = (invocation: Invocation): JobAction[] =>
  invocation.logs
    .filter((line) => line.message === 'job action' || line.message === 'job action failed')
    .map((line) => ({ jobId: String(line.jobId), action: String(line.action), status: String(line.status) }));
const byJob = <T extends { jobId: string }>(list: readonly T[]) =>
  [...list].sort((a, b) => a.jobId.localeCompare(b.jobId));
const planFor = (events: readonly Envelope[], jobs: readonly BatchJob[]) =>
  plan(
    parseChanges(events.map((event, i) => ({ source: String(i), event }))).changes.map((c) => c.change),
    {
      home: { partition: 'aws', region: fleet.region, account: fleet.account },
      queues: fleet.jobQueues,
      definitions: fleet.jobDefinitions,
      jobs,
    },
    planOptions,
  );
const putEvents = async (events: readonly Envelope[]): Promise<string[]> => {
  const out = await clients.events.send(
    new PutEventsCommand({ Entries: events.map((event) => toPutEventsEntry(event) ?? {}) }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return (out.Entries ?? []).map((entry) => entry.EventId ?? '');
};
const SUBMIT_ANYWHERE = { SubmitJobQueues: '*', SubmitJobDefinitions: '*:*' };
const ledgerItems = async () => {
  const documents = DynamoDBDocumentClient.from(clients.dynamodb);
  const { Items = [] } = await documents.send(new ScanCommand({ TableName: stack.resources.LedgerTable }));
  // Job entries only: blast-radius budgets and the control record share the table under reserved keys.
  return Items.filter((item) => typeof item.action === 'string');
};
const coldStartMetrics = (invocation: Invocation) => invocation.logs.filter((line) => 'ColdStart' in line);
const coldStartFlags = (invocation: Invocation) =>
  invocation.logs.filter((line) => 'cold_start' in line).map((line) => line.cold_start);

beforeAll(async () => {
  [packaged, moto, xray] = await Promise.all([loadPackagedService(), startMoto(), startXrayDaemon()]);
  clients = createMotoClients(moto, REGION);
  // Resubmission is off by default (not-permitted): the operator names where copies may go.
  stack = await deployStack(clients, packaged, { name: STACK, region: REGION, parameters: SUBMIT_ANYWHERE });
  fleet = loadDeployFleet();
  sandbox = await startSandbox({ fleet, dynamodb: false });
  batch = new BatchClient({
    endpoint: sandbox.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  changeQueue = await queueOf(clients.sqs, stack.resources.ChangeQueue);
  // The reactor's output events, seen through a rule of our own on the stack's output bus.
  const output = await createQueue(clients.sqs, 'observed-output');
  await clients.events.send(
    new PutRuleCommand({ Name: 'observe-output', EventPattern: JSON.stringify({ source: ['rotation-reactor'] }) }),
  );
  await clients.events.send(
    new PutTargetsCommand({ Rule: 'observe-output', Targets: [{ Id: 'queue', Arn: output.arn }] }),
  );
  observedOutput = output.url;
  const config = loadConfig({
    ...stack.functions.OnChangeBatchLambdaFunction.Environment?.Variables,
    AWS_REGION: REGION,
  });
  planOptions = {
    defaultPolicy: config.defaultPolicy,
    staleMarginMs: config.staleMarginMs,
    maxResubmitsPerChange: config.maxResubmitsPerChange,
    submitScope: config.submitScope,
  };
  changeBatch = await start(functionOf('OnChangeBatchLambdaFunction'));
  jobStateChange = await start(functionOf('OnJobStateChangeLambdaFunction'));
}, 180_000);

afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  batch?.destroy();
  clients?.destroy();
  await sandbox?.stop();
  await xray?.stop();
  await moto?.stop();
});

describe('the packaged service, deployed into moto', () => {
  it('deploys: every resource of the template, the functions configured as the template says', () => {
    const expected = Object.entries(packaged.template.Resources)
      // The CloudTrail rule is off by default (EnableCloudTrailFallback).
      .filter(([, resource]) => !resource.Condition && NAMED_BY_MOTO.includes(resource.Type))
      .map(([id]) => id);
    expect(Object.keys(stack.resources).sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(20);
    expect(stack.resources.SecretsManagerCloudTrailRule).toBeUndefined();
    expect(stack.parameters).toMatchObject({ ...SUBMIT_ANYWHERE, EnableCloudTrailFallback: 'false' });
    for (const [id, configuration] of Object.entries(stack.functions)) {
      const variables = packaged.template.Resources[id].Properties?.Environment as { Variables: object };
      expect(configuration.Environment?.Variables).toEqual({
        ...variables.Variables,
        REACTOR_ACCOUNT_ID: stack.account,
        REACTOR_LEDGER_TABLE: stack.resources.LedgerTable,
        // The stack parameters the deployment was given.
        REACTOR_SUBMIT_QUEUES: '*',
        REACTOR_SUBMIT_DEFINITIONS: '*:*',
        REACTOR_SUBMIT_TAG: 'rotation-reactor:resubmittable=none',
      });
      expect(configuration).toMatchObject({ Runtime: 'nodejs22.x', Handler: expect.stringMatching(/^handlers\//) });
    }
  });

  it('runs each bundle with nothing but what it carries (no AWS SDK beside it)', () => {
    expect(changeBatch.sdkResolvable).toBe(false);
    expect(jobStateChange.sdkResolvable).toBe(false);
  });

  it('routes the live changes to the change queue only, and flags or resubmits exactly what plan decides', async () => {
    const before = new Map(sandbox.jobs().map((job) => [job.jobId, job]));
    const ids = await putEvents([PARAMETER_UPDATE, SECRET_LABEL, ...Object.values(NOT_FOR_THE_STACK)]);
    expect(await drainQueue(clients.sqs, stack.standIns.OnJobStateChangeLambdaFunction)).toEqual([]);

    const delivery = await deliverChangeBatch(clients.sqs, stack, changeQueue, changeBatch);
    if (!delivery) throw new Error('nothing reached the change queue');
    live = delivery;
    expect(delivery.records.map((record) => JSON.parse(record.body).id).sort()).toEqual(ids.slice(0, 2).sort());
    // moto's SQS delivery drops `account` (emulated-stack.ts, quirk 4): the poller restored it on both.
    expect(delivery.accountRestored).toBe(2);
    expect(delivery.invocation).toMatchObject({ result: { batchItemFailures: [] } });

    const expected = planFor([PARAMETER_UPDATE, SECRET_LABEL], fleet.jobs);
    const actions = jobActions(delivery.invocation);
    expect(byJob(actions)).toEqual(
      byJob(expected.reactions.map((r) => ({ jobId: r.jobId, action: r.action, status: 'applied' }))),
    );
    const resubmitted = expected.reactions.filter((r) => r.action === 'resubmit').map((r) => r.jobId);
    const flagged = expected.reactions.filter((r) => r.action !== 'resubmit').map((r) => r.jobId);
    expect(resubmitted.length).toBeGreaterThanOrEqual(4);
    expect(flagged.length).toBeGreaterThanOrEqual(4);

    // At the sandbox: one faithful copy per resubmitted job, then the stale job terminated; tags on flagged jobs.
    const submissions = sandbox.submissions() as { tags: Record<string, string> }[];
    const lineageOf = (tags: Record<string, string>) => parseLineageTag(tags[REPLACES_TAG]);
    expect(submissions.map((s) => lineageOf(s.tags)?.replaces).sort()).toEqual([...resubmitted].sort());
    for (const submission of submissions) {
      const lineage = lineageOf(submission.tags)!;
      expect(submission).toEqual(toResubmission(before.get(lineage.replaces) as BatchJob, lineage));
    }
    expect([...new Set(submissions.flatMap((s) => Object.keys(s)))].sort()).toEqual(SUBMIT_JOB_MEMBERS);
    for (const jobId of resubmitted) {
      expect(sandbox.job(jobId)).toMatchObject({ status: 'FAILED', statusReason: expect.stringContaining('replaced') });
    }
    for (const jobId of flagged) expect(sandbox.job(jobId)?.tags).toHaveProperty('rotation-reactor:stale-since');

    // In the stack's own table: one settled ledger entry per action.
    const items = await ledgerItems();
    expect(byJob(items.map((item) => ({ jobId: String(item.jobId), action: String(item.action) })))).toEqual(
      byJob(expected.reactions.map((r) => ({ jobId: r.jobId, action: r.action }))),
    );
    expect(items.every((item) => item.state === 'done')).toBe(true);
    const replacements = new Map(submissions.map((s, i) => [lineageOf(s.tags)?.replaces, i]));
    for (const item of items.filter((i) => i.action === 'resubmit')) {
      expect(replacements.has(String(item.jobId))).toBe(true);
      expect(lineageOf(sandbox.job(String(item.replacementJobId))?.tags ?? {})?.replaces).toBe(item.jobId);
    }

    // On the stack's output bus: per change, per flag, per resubmission.
    const output = (await drainQueue(clients.sqs, observedOutput)) as OutputEvent[];
    const ofType = (type: string) =>
      output
        .filter((e) => e['detail-type'] === type)
        .map((e) => String(e.detail.jobId ?? e.detail.resource))
        .sort();
    expect(ofType('Change Processed')).toEqual(expected.changes.map((change) => change.resource).sort());
    expect(ofType('Stale Job Flagged')).toEqual([...flagged].sort());
    expect(ofType('Job Resubmitted')).toEqual([...resubmitted].sort());
    expect(output).toHaveLength(2 + flagged.length + resubmitted.length);
  });

  it('routes archived changes replayed from the stack archive through ReplayRule, and acts on nothing twice', async () => {
    const writesBefore = WRITES.map((op) => sandbox.countsByOperation()[op] ?? 0);
    await clients.events.send(
      new StartReplayCommand({
        ReplayName: 'deploy-test',
        EventSourceArn: stack.outputs.ChangeArchiveArn,
        EventStartTime: new Date(0),
        EventEndTime: new Date(Date.now() + 3_600_000),
        Destination: {
          Arn: `arn:aws:events:${REGION}:${stack.account}:event-bus/default`,
          FilterArns: [stack.outputs.ReplayRuleArn],
        },
      }),
    );
    const delivery = await deliverChangeBatch(clients.sqs, stack, changeQueue, changeBatch);
    if (!delivery) throw new Error('no replayed event reached the change queue');
    replay = delivery;
    const replayed = delivery.records.map((record) => JSON.parse(record.body));
    expect(replayed.map((event) => event['replay-name'])).toEqual(['deploy-test', 'deploy-test']);
    expect(replayed.map((event) => event['detail-type']).sort()).toEqual([
      'Parameter Store Change',
      'Secret Label Updated',
    ]);
    expect(delivery.invocation).toMatchObject({ result: { batchItemFailures: [] } });

    const expected = planFor([PARAMETER_UPDATE, SECRET_LABEL], sandbox.jobs());
    expect(expected.reactions.length).toBeGreaterThan(0);
    expect(byJob(jobActions(delivery.invocation))).toEqual(
      byJob(expected.reactions.map((r) => ({ jobId: r.jobId, action: r.action, status: 'duplicate' }))),
    );
    expect(WRITES.map((op) => sandbox.countsByOperation()[op] ?? 0)).toEqual(writesBefore);
    const output = (await drainQueue(clients.sqs, observedOutput)) as OutputEvent[];
    expect(output.map((e) => [e['detail-type'], e.detail.replayName])).toEqual([
      ['Change Processed', 'deploy-test'],
      ['Change Processed', 'deploy-test'],
    ]);
  });

  it('reports a cold start in logs, metrics and traces on the first invocation of an environment only', () => {
    const [first, second] = [live.invocation, replay.invocation];
    expect(coldStartFlags(first).length).toBeGreaterThan(5);
    expect(new Set(coldStartFlags(first))).toEqual(new Set([true]));
    expect(coldStartMetrics(first)).toEqual([
      expect.objectContaining({
        ColdStart: 1,
        function_name: stack.functions.OnChangeBatchLambdaFunction.FunctionName,
        service: 'rotation-reactor',
      }),
    ]);
    expect(coldStartFlags(second).length).toBeGreaterThan(0);
    expect(new Set(coldStartFlags(second))).toEqual(new Set([false]));
    expect(coldStartMetrics(second)).toEqual([]);
    const annotations = xray
      .documents()
      .filter((d) => d.name === '## handlers/on-change-batch.handler')
      .map((d) => d.annotations?.ColdStart);
    expect(annotations).toEqual([true, false]);
  });

  it.each([
    ['an invoker that sets no initialization type (sls invoke local)', undefined, [true, false]],
    [
      'provisioned concurrency (initialised ahead: never a cold start, as Powertools decides)',
      'provisioned-concurrency',
      [false, false],
    ],
  ])('reports cold starts under %s', async (_, initializationType, expected) => {
    const fn = await start({
      ...functionOf('OnChangeBatchLambdaFunction'),
      runtimeOverrides: { AWS_LAMBDA_INITIALIZATION_TYPE: initializationType },
    });
    // A record the reactor rejects: a full run (logs and metrics) without touching Batch.
    const notAChange = {
      Records: [
        {
          messageId: 'not-json',
          receiptHandle: 'not-json',
          body: '{"version"',
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(Date.now()),
            SenderId: 'AIDAIENQZJOLO23YVJ4VO',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: '0',
          eventSource: 'aws:sqs',
          eventSourceARN: changeQueue.arn,
          awsRegion: REGION,
        },
      ],
    };
    const rounds = [await fn.invoke(notAChange), await fn.invoke(notAChange)];
    for (const [i, invocation] of rounds.entries()) {
      expect(invocation.result).toEqual({ batchItemFailures: [] });
      expect(new Set(coldStartFlags(invocation))).toEqual(new Set([expected[i]]));
      expect(coldStartMetrics(invocation)).toHaveLength(expected[i] ? 1 : 0);
    }
  });

  it('sends a FAILED job to onJobStateChange, which resubmits the job flagged resubmit-on-failure once', async () => {
    const jobId = SAMPLE_JOBS.weeklyReport;
    expect(JOB_FAILED.detail.jobId).toBe(jobId);
    // The container fails on its own: a job an operator (or the reactor) terminated is never resubmitted.
    sandbox.failJob(jobId);
    const failed = sandbox.job(jobId) as BatchJob;
    expect(failed.status).toBe('FAILED');
    const submitted = sandbox.submissions().length;

    const [id] = await putEvents([JOB_FAILED]);
    expect(await drainQueue(clients.sqs, changeQueue.url)).toEqual([]);
    const delivered = await drainQueue(clients.sqs, stack.standIns.OnJobStateChangeLambdaFunction);
    expect(delivered.map((event) => (event as { id: string }).id)).toEqual([id]);
    // The event as EventBridge delivers it to the function (moto drops `account`: quirk 4).
    const event = { ...(delivered[0] as object), account: stack.account };

    const first = await jobStateChange.invoke(event);
    expect(first.result).toMatchObject({
      status: 'decided',
      outcomes: [expect.objectContaining({ status: 'applied', replacementJobId: expect.any(String) })],
    });
    const { replacementJobId } = (first.result as { outcomes: { replacementJobId: string }[] }).outcomes[0];
    expect(new Set(coldStartFlags(first))).toEqual(new Set([true]));
    expect(coldStartMetrics(first)).toHaveLength(1);
    const [copy] = sandbox.submissions().slice(submitted);
    const lineage = parseLineageTag((copy as { tags: Record<string, string> }).tags[REPLACES_TAG]);
    expect(lineage).toMatchObject({ replaces: jobId });
    expect(copy).toEqual(toResubmission(failed, lineage));
    const second = await jobStateChange.invoke(event);
    expect(second.result).toMatchObject({ status: 'duplicate' });
    expect(sandbox.submissions()).toHaveLength(submitted + 1);

    const entry = (await ledgerItems()).find((item) => item.jobId === jobId && item.slot === 'resubmit');
    expect(entry).toMatchObject({
      state: 'done',
      action: 'resubmit',
      replacementJobId,
    });
    const output = (await drainQueue(clients.sqs, observedOutput)) as OutputEvent[];
    expect(output.map((e) => [e['detail-type'], e.detail.jobId])).toEqual([['Job Resubmitted', jobId]]);
  });

  it('switches the CloudTrail fallback on with a stack parameter, without repackaging', async () => {
    const updated = await updateStackParameters(clients, stack, { EnableCloudTrailFallback: 'true' });
    expect(updated.parameters).toMatchObject({ ...SUBMIT_ANYWHERE, EnableCloudTrailFallback: 'true' });
    expect(updated.resources.SecretsManagerCloudTrailRule).toBeDefined();
    const [id] = await putEvents([CLOUDTRAIL_PUT]);
    const delivered = await drainQueue(clients.sqs, changeQueue.url);
    expect(delivered.map((event) => (event as { id: string }).id)).toEqual([id]);
  });

  it('leaves nothing behind: dead-letter queues, change queue and stand-ins empty', async () => {
    for (const id of ['ChangeDeadLetterQueue', 'JobStateDeadLetterQueue', 'ChangeQueue']) {
      const { url } = await queueOf(clients.sqs, stack.resources[id]);
      expect({ id, left: await drainQueue(clients.sqs, url) }).toEqual({
        id,
        left: [],
      });
    }
    for (const url of Object.values(stack.standIns)) expect(await drainQueue(clients.sqs, url)).toEqual([]);
    // Warnings (invalid references in the sample fleet) are expected; errors and anything not a log line are not.
    for (const stderr of [changeBatch.stderr(), jobStateChange.stderr()]) {
      const lines = stderr.split('\n').filter(Boolean);
      expect(lines.filter((line) => !line.startsWith('{') || JSON.parse(line).level !== 'WARN')).toEqual([]);
    }
  });
});
