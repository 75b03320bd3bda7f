import { CreateArchiveCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { POLICY_TAG } from '../../../lib/core/policy';
import { aJob, aSnapshot, ETL, QUEUE } from '../../support/builders';
import { runCli, sandboxFlags } from '../../support/cli';
import { type Moto, startMoto } from '../../support/moto';
import { startLocalReactor } from '../../support/reactor';

const queue = QUEUE;
const etl = ETL;
const fleet = aSnapshot({
  jobs: [
    aJob({ jobId: 'stale-flag', jobQueue: queue.jobQueueArn, jobDefinition: etl.jobDefinitionArn }),
    aJob({
      jobId: 'stale-resubmit',
      jobQueue: queue.jobQueueArn,
      jobDefinition: etl.jobDefinitionArn,
      tags: { [POLICY_TAG]: 'resubmit' },
    }),
  ],
});
const UPDATE = 'events/ssm/parameter-store-change.update.json';
const WRITES = ['TagResource', 'SubmitJob', 'TerminateJob', 'PutEvents'];

describe('rotation-reactor replay (event files, against the sandbox)', () => {
  let local: Awaited<ReturnType<typeof startLocalReactor>>;
  const flags = () => sandboxFlags(local.sandbox.endpoint, '--ledger-table', 'cli-ledger');
  beforeEach(async () => {
    local = await startLocalReactor(fleet);
  });
  afterEach(async () => {
    await local.stop();
  });

  it('previews with --dry-run and changes nothing anywhere', async () => {
    const { code, stdout } = await runCli('replay', UPDATE, '--dry-run', '--json', ...flags());
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.reactions.map((r: { jobId: string; action: string }) => [r.jobId, r.action]).sort()).toEqual([
      ['stale-flag', 'flag'],
      ['stale-resubmit', 'resubmit'],
    ]);
    const counts = local.sandbox.countsByOperation();
    for (const write of WRITES) expect(counts[write]).toBeUndefined();
    expect(local.sandbox.events()).toEqual([]);
  });

  it('applies, then reports the same change as already done on a second run', async () => {
    const first = await runCli('replay', UPDATE, '--json', ...flags());
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc.reactions.map((r: { status: string }) => r.status)).toEqual(['applied', 'applied']);
    expect(local.sandbox.submissions()).toHaveLength(1);
    const second = await runCli('replay', UPDATE, '--json', ...flags());
    expect(JSON.parse(second.stdout).reactions.map((r: { status: string }) => r.status)).toEqual(['duplicate']);
    expect(local.sandbox.submissions()).toHaveLength(1);
  });

  it('prints a readable summary, and exits 3 when some events are rejected', async () => {
    const { code, stdout } = await runCli('replay', UPDATE, 'events/malformed', ...flags());
    expect(code).toBe(3);
    expect(stdout).toContain('Summary: 6 events (5 rejected)');
    expect(stdout).toContain('Rejected events');
  });

  it('exits 1 when an action failed, naming the error', async () => {
    local.sandbox.setFaults({ serverErrorRate: 1, operations: ['SubmitJob'] });
    const { code, stdout } = await runCli('replay', UPDATE, '--json', '--batch-tps', '50', ...flags());
    expect(code).toBe(1);
    expect(JSON.parse(stdout).reactions.find((r: { jobId: string }) => r.jobId === 'stale-resubmit')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('ServerException'),
    });
  });

  it.each([
    [['replay'], 'give event files or folders'],
    [['replay', 'missing.json'], 'cannot read event file missing.json'],
    [['replay', UPDATE, '--archive', 'a'], 'either event files or --archive'],
    [['replay', '--archive', 'a', '--from', '2h'], '--archive needs --from TIME and --to TIME'],
    [['replay', '--archive', 'a', '--from', 'yesterday', '--to', '1h'], '--from "yesterday" is not a time'],
    [['replay', '--archive', 'a', '--from', '2h', '--to', '5m'], 'within the last 10 minutes'],
  ])('refuses %j in one line (exit 2)', async (argv, message) => {
    const { code, stderr } = await runCli(...argv, '--region', 'us-east-2', '--account', '123456789012');
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.split('\n')).toHaveLength(1);
  });

  it('names an unreachable endpoint in one line (exit 2)', async () => {
    const { code, stderr } = await runCli(
      'replay',
      UPDATE,
      '--endpoint-url',
      'http://127.0.0.1:9',
      '--region',
      'us-east-2',
      '--account',
      '123456789012',
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/^rotation-reactor: .*connection refused/);
  });
});

describe('rotation-reactor replay --archive (against moto EventBridge)', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('starts a replay of the archive window and follows it to the end', async () => {
    const events = new EventBridgeClient({
      endpoint: moto.endpoint,
      region: 'us-east-2',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    await events.send(
      new CreateArchiveCommand({
        ArchiveName: 'changes',
        EventSourceArn: 'arn:aws:events:us-east-2:123456789012:event-bus/default',
        EventPattern: JSON.stringify({ source: ['aws.ssm'] }),
      }),
    );
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.ssm',
            DetailType: 'Parameter Store Change',
            Detail: '{"name":"/p","operation":"Update","type":"String"}',
          },
        ],
      }),
    );
    events.destroy();
    const { code, stdout } = await runCli(
      'replay',
      '--archive',
      'changes',
      '--from',
      '2h',
      '--to',
      '15m',
      '--json',
      '--endpoint-url',
      moto.endpoint,
      '--region',
      'us-east-2',
      '--account',
      '123456789012',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      archive: 'changes',
      state: 'COMPLETED',
      replayName: expect.stringMatching(/^rotation-reactor-\d{14}$/),
    });
  });

  it('names an unknown archive in one line', async () => {
    const { code, stderr } = await runCli(
      'replay',
      '--archive',
      'nope',
      '--from',
      '2h',
      '--to',
      '15m',
      '--endpoint-url',
      moto.endpoint,
      '--region',
      'us-east-2',
      '--account',
      '123456789012',
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^rotation-reactor: archive replay failed: ResourceNotFoundException/);
  });
});
