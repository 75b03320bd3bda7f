import { readFileSync } from 'node:fs';
import { processChangeBatch, runSweep } from '../../../lib/runtime/triggers';
import { aJob, ETL, QUEUE } from '../../support/builders';
import { runBinary, runCli, sandboxFlags } from '../../support/cli';
import { toSqsRecord } from '../../support/fault-helpers';
import { startLocalReactor } from '../../support/reactor';

const update = JSON.parse(readFileSync('events/ssm/parameter-store-change.update.json', 'utf8'));

describe('rotation-reactor pause | resume | status (the control record, on the sandbox ledger)', () => {
  let local: Awaited<ReturnType<typeof startLocalReactor>>;
  const flags = (...extra: string[]) =>
    sandboxFlags(local.sandbox.endpoint, '--ledger-table', local.config.ledgerTable, ...extra);

  beforeAll(async () => {
    local = await startLocalReactor({
      region: 'us-east-2',
      account: '123456789012',
      jobQueues: [QUEUE],
      jobDefinitions: [ETL],
      jobs: [aJob({ jobId: 'stale', jobQueue: QUEUE.jobQueueArn, jobDefinition: ETL.jobDefinitionArn })],
    });
  });
  afterAll(async () => {
    await local.stop();
  });

  it('shows the deployment defaults before anyone set anything', async () => {
    const { code, stdout } = await runCli('status', ...flags(), '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ paused: false, mode: 'apply', maxResubmitsPerChange: 25, record: null });
  });

  it('pauses every path at once, without a redeploy, and says who, when and why', async () => {
    const paused = await runBinary(['pause', ...flags(), '--reason', 'INC-4711: bad rotation', '--by', 'alice']);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^PAUSED — paused by alice at .*: INC-4711: bad rotation/);

    // The change handler returns every record (they wait in SQS, then the DLQ), reading and acting on nothing.
    local.sandbox.resetRequestLog();
    const records = [toSqsRecord('m1', JSON.stringify(update)), toSqsRecord('m2', 'not json')];
    expect(await processChangeBatch(records, local.reactor)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }],
    });
    expect(local.sandbox.requests().filter((r) => r.operation !== 'PutEvents')).toEqual([]);
    expect(await runSweep(local.reactor)).toMatchObject({ paused: true, reason: expect.stringContaining('alice') });

    // The CLI refuses to act, in one line, but previews.
    const replay = await runCli('replay', 'events/ssm/parameter-store-change.update.json', ...flags());
    expect(replay).toMatchObject({ code: 2 });
    expect(replay.stderr).toMatch(
      /^rotation-reactor: paused by alice .*: run 'rotation-reactor resume', or preview with --dry-run$/,
    );
    const preview = await runCli('replay', 'events/ssm/parameter-store-change.update.json', ...flags(), '--dry-run');
    expect(preview.code).toBe(0);
    expect(local.sandbox.countsByOperation().TagResource ?? 0).toBe(0);
  });

  it('resumes in dry-run with another cap, then back to the defaults', async () => {
    const resumed = await runCli(
      'resume',
      ...flags(),
      '--dry-run',
      '--max-resubmits-per-change',
      '3',
      '--by',
      'bob',
      '--json',
    );
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      paused: false,
      mode: 'dry-run',
      maxResubmitsPerChange: 3,
      record: { updatedBy: 'bob' },
    });
    const report = await processChangeBatch([toSqsRecord('m3', JSON.stringify(update))], local.reactor);
    expect(report).toEqual({ batchItemFailures: [] });
    expect(local.sandbox.countsByOperation().TagResource ?? 0).toBe(0);

    const back = await runCli('resume', ...flags(), '--apply', '--default-cap', '--json');
    expect(JSON.parse(back.stdout)).toMatchObject({ paused: false, mode: 'apply', maxResubmitsPerChange: 25 });
    await processChangeBatch([toSqsRecord('m4', JSON.stringify(update))], local.reactor);
    expect(local.sandbox.job('stale')?.tags).toHaveProperty('rotation-reactor:stale-since');
  });

  it('requires a reason to pause', async () => {
    const { code, stderr } = await runCli('pause', ...flags());
    expect(code).toBe(2);
    expect(stderr).toContain("required option '--reason <text>' not specified");
  });
});
