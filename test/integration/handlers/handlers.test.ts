import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { ensureLedgerTable } from '../../../lib/adapters/ledger-table';
import type { FleetSnapshot } from '../../../lib/core/fleet';
import { POLICY_TAG } from '../../../lib/core/policy';
import { lambdaReactor, resetLambdaReactor } from '../../../lib/runtime/lambda';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { aDefinition, aJob, ETL, QUEUE } from '../../support/builders';
import { type Moto, startMoto } from '../../support/moto';

const HOUR = 3_600_000;
// The handlers run on the wall clock: the change happened five minutes ago, the jobs started an hour ago.
const update = {
  ...JSON.parse(readFileSync('events/ssm/parameter-store-change.update.json', 'utf8')),
  time: new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
};
const context = {
  functionName: 'test',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-2:123456789012:function:test',
  getRemainingTimeInMillis: () => 120_000,
} as Context;
const record = (messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'events',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: 'x',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:changes',
  awsRegion: 'us-east-2',
});
const sqs = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

const queue = QUEUE;
const etl = ETL;
const swept = aDefinition(['/never/delivered'], { jobDefinitionName: 'swept' });

describe('Lambda handlers, invoked locally against the sandbox (Batch, EventBridge, DynamoDB) and moto (SSM)', () => {
  let sandbox: Sandbox;
  let moto: Moto;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    const now = Date.now();
    const job = (jobId: string, definition = etl, tags: Record<string, string> = {}) =>
      aJob({
        jobId,
        jobName: jobId,
        jobQueue: queue.jobQueueArn,
        jobDefinition: definition.jobDefinitionArn,
        startedAt: now - HOUR,
        createdAt: now - 2 * HOUR,
        tags,
      });
    const fleet: FleetSnapshot = {
      region: 'us-east-2',
      account: '123456789012',
      jobQueues: [queue],
      jobDefinitions: [etl, swept],
      jobs: [
        job('flag-me'),
        job('resubmit-me', etl, { [POLICY_TAG]: 'resubmit' }),
        job('on-failure', etl, { [POLICY_TAG]: 'resubmit-on-failure' }),
        job('sweep-me', swept),
      ],
    };
    sandbox = await startSandbox({ fleet });
    // Parameter Store holds what the jobs read; the sweep compares its metadata with job start times.
    const ssm = new SSMClient({ endpoint: moto.endpoint, region: 'us-east-2' });
    await ssm.send(new PutParameterCommand({ Name: '/prod/db/password', Value: 'v1', Type: 'SecureString' }));
    ssm.destroy();
    Object.assign(process.env, {
      AWS_REGION: 'us-east-2',
      REACTOR_ACCOUNT_ID: '123456789012',
      REACTOR_LEDGER_TABLE: 'handlers-ledger',
      REACTOR_BATCH_TPS: '50',
      AWS_ENDPOINT_URL_BATCH: sandbox.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: sandbox.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: sandbox.endpoint,
      AWS_ENDPOINT_URL_SSM: moto.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    });
    const dynamodb = new DynamoDBClient({ endpoint: sandbox.endpoint, region: 'us-east-2' });
    await ensureLedgerTable(dynamodb, 'handlers-ledger');
    dynamodb.destroy();
    resetLambdaReactor();
  });

  afterAll(async () => {
    // Nothing else started when moto could not start: its one clear error is the whole story.
    if (sandbox === undefined) return moto?.stop();
    for (const client of Object.values(lambdaReactor().clients)) (client as { destroy(): void }).destroy();
    resetLambdaReactor();
    process.env = saved;
    await sandbox.stop();
    await moto?.stop();
  });

  it('onChangeBatch: rejects malformed records (not retried), acts once on good and duplicate ones, retries only failed actions', async () => {
    const { handler } = await import('../../../handlers/on-change-batch');
    sandbox.setFaults({ serverErrorRate: 1, operations: ['SubmitJob'] });
    const batch = sqs(
      record('good', JSON.stringify(update)),
      record('duplicate', JSON.stringify(update)),
      record('not-json', '{"version": "0", '),
      record('unknown', JSON.stringify({ ...update, source: 'aws.ec2' })),
    );
    const first = await handler(batch as never, context);
    // Both records carry the change whose resubmission failed: both come back; the rejected ones never do.
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'good' }, { itemIdentifier: 'duplicate' }] });
    expect(sandbox.job('flag-me')?.tags).toHaveProperty('rotation-reactor:stale-since');

    sandbox.setFaults({});
    const retry = await handler(sqs(batch.Records[0], batch.Records[1]) as never, context);
    expect(retry).toEqual({ batchItemFailures: [] });
    expect(sandbox.submissions()).toHaveLength(1);
    expect(sandbox.job('resubmit-me')).toMatchObject({
      status: 'FAILED',
      statusReason: expect.stringContaining('replaced by'),
    });
    expect(sandbox.countsByOperation().TagResource).toBe(2);

    const again = await handler(sqs(record('later', JSON.stringify(update))) as never, context);
    expect(again).toEqual({ batchItemFailures: [] });
    expect(sandbox.submissions()).toHaveLength(1);
  });

  it('onJobStateChange: resubmits a job flagged resubmit-on-failure once when it fails', async () => {
    const { handler } = await import('../../../handlers/on-job-state-change');
    const event = JSON.parse(readFileSync('events/batch/job-state-change.failed.json', 'utf8'));
    const failed = { ...event, detail: { ...event.detail, jobId: 'on-failure', jobName: 'on-failure' } };
    // An event alone proves nothing: the job is still RUNNING, so it is not resubmitted.
    expect(await handler(failed, context)).toMatchObject({ status: 'not-failed', detail: 'RUNNING' });
    sandbox.failJob('on-failure');
    expect(await handler(failed, context)).toMatchObject({
      status: 'decided',
      outcomes: [
        expect.objectContaining({
          status: 'applied',
          replacementJobId: expect.any(String),
          reaction: expect.objectContaining({ action: 'resubmit', reason: 'failed-after-flag' }),
        }),
      ],
    });
    expect(await handler(failed, context)).toMatchObject({ status: 'duplicate' });
    expect(await handler({ ...event, detail: { ...event.detail, jobId: 'flag-me' } }, context)).toMatchObject({
      status: 'not-flagged',
    });
    expect(sandbox.submissions().filter((s) => (s as { jobName: string }).jobName === 'on-failure')).toHaveLength(1);
  });

  it('onSweep: catches a change whose event was never delivered, from metadata only', async () => {
    const ssm = new SSMClient({ endpoint: moto.endpoint, region: 'us-east-2' });
    await ssm.send(new PutParameterCommand({ Name: '/never/delivered', Value: 'v2', Type: 'SecureString' }));
    ssm.destroy();
    const { handler } = await import('../../../handlers/on-sweep');
    const tagsBefore = sandbox.countsByOperation().TagResource;
    const result = await handler({}, context);
    expect(result).toMatchObject({ failed: 0 });
    expect(sandbox.job('sweep-me')?.tags).toHaveProperty('rotation-reactor:stale-ref', '/never/delivered');
    // flag-me is stale for /prod/db/password too, but was flagged for it already: no second tag.
    expect(sandbox.countsByOperation().TagResource).toBe(tagsBefore + 1);
  });

  it('onReplay: previews a hand-sent event with dryRun and writes nothing', async () => {
    const { handler } = await import('../../../handlers/on-replay');
    const before = sandbox.countsByOperation();
    const result = await handler(
      { events: [{ ...update, id: 'replayed', time: new Date().toISOString() }], dryRun: true },
      context,
    );
    expect(result).toMatchObject({ mode: 'dry-run', rejected: [] });
    // Not vacuous: the replayed change reaches jobs, and every reaction is only planned.
    const { reactions } = result as { reactions: { status: string }[] };
    expect(reactions.length).toBeGreaterThan(0);
    expect(reactions.map((r) => r.status)).toEqual(reactions.map(() => 'dry-run'));
    const after = sandbox.countsByOperation();
    for (const write of ['TagResource', 'SubmitJob', 'TerminateJob']) expect(after[write]).toBe(before[write]);
  });

  it('onReplay: names a bad payload in one line', async () => {
    const { handler } = await import('../../../handlers/on-replay');
    await expect(handler({ events: 'nope' }, context)).rejects.toThrow(
      'replay payload: "events" must be a list of EventBridge events',
    );
  });
});
