import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { FleetSnapshot } from '../../../lib/core/fleet';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { generateFleet } from '../../../lib/sandbox/fleet-generator';
import { aDefinition, aJob, aQueue } from '../../support/builders';
import { runBinary, runCli, sandboxFlags } from '../../support/cli';
import { type Moto, startMoto } from '../../support/moto';
import { startLocalReactor } from '../../support/reactor';

const HOUR = 3_600_000;
const queue = aQueue({ jobQueueName: 'q', jobQueueArn: 'arn:aws:batch:us-east-2:123456789012:job-queue/q' });
const etl = aDefinition(['/swept/changed', '/swept/untouched'], { jobDefinitionName: 'etl' });

describe('rotation-reactor sweep (Batch on the sandbox, Parameter Store metadata on moto)', () => {
  let moto: Moto;
  let local: Awaited<ReturnType<typeof startLocalReactor>>;
  const saved = process.env.AWS_ENDPOINT_URL_SSM;
  const flags = () => sandboxFlags(local.sandbox.endpoint, '--ledger-table', 'sweep-ledger');

  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ENDPOINT_URL_SSM = moto.endpoint;
    const ssm = new SSMClient({
      endpoint: moto.endpoint,
      region: 'us-east-2',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    await ssm.send(new PutParameterCommand({ Name: '/swept/untouched', Value: 'a', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/swept/changed', Value: 'a', Type: 'String' }));
    ssm.destroy();
    // The job started an hour before now: a parameter modified just now (its event never delivered) is newer.
    const now = Date.now();
    const fleet: FleetSnapshot = {
      region: 'us-east-2',
      account: '123456789012',
      jobQueues: [queue],
      jobDefinitions: [etl],
      jobs: [
        aJob({
          jobId: 'old-job',
          jobQueue: queue.jobQueueArn,
          jobDefinition: etl.jobDefinitionArn,
          startedAt: now - HOUR,
          createdAt: now - 2 * HOUR,
        }),
      ],
    };
    local = await startLocalReactor(fleet, { sandbox: { clock: 'real', startTime: now } });
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SSM;
    else process.env.AWS_ENDPOINT_URL_SSM = saved;
    await local?.stop();
    await moto?.stop();
  });

  it('previews with --dry-run: the job is stale for both parameters it reads, and nothing is written', async () => {
    const { code, stdout } = await runCli('sweep', '--dry-run', '--json', ...flags());
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.resources).toBe(2);
    expect(doc.notSwept).toEqual([]);
    expect(doc.plan.reactions).toEqual([
      expect.objectContaining({ jobId: 'old-job', action: 'flag', reason: 'stale' }),
    ]);
    expect(local.sandbox.countsByOperation().TagResource).toBeUndefined();
  });

  it('flags the job once, however often it runs', async () => {
    const first = await runCli('sweep', '--json', ...flags());
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).reactions).toEqual([
      expect.objectContaining({ jobId: 'old-job', status: 'applied' }),
    ]);
    const second = await runCli('sweep', '--json', ...flags());
    expect(JSON.parse(second.stdout).reactions).toEqual([
      expect.objectContaining({ jobId: 'old-job', status: 'duplicate' }),
    ]);
    expect(local.sandbox.countsByOperation().TagResource).toBe(1);
  });
});

describe('rotation-reactor sweep (the binary, against the sandbox alone: Batch, SSM, Secrets Manager, DynamoDB)', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:swept/db-AbCdEf';
  const reader = aDefinition(['/swept/param'], { jobDefinitionName: 'param-reader' });
  const secretReader = aDefinition([`${SECRET_ARN}:password::`], { jobDefinitionName: 'secret-reader' });
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  let sandbox: Sandbox;
  const sweep = (...extra: string[]) =>
    runBinary(['sweep', ...extra, ...sandboxFlags(sandbox.endpoint, '--ledger-table', 'binary-sweep')]);
  const reactionsOf = (stdout: string) =>
    (JSON.parse(stdout).reactions as { jobId: string; action: string; status: string }[]).map(
      ({ jobId, action, status }) => ({ jobId, action, status }),
    );

  beforeAll(async () => {
    // Both jobs started an hour ago; the parameter and the secret were last written two hours ago.
    const now = Date.now();
    const job = (jobId: string, definition: typeof reader) =>
      aJob({
        jobId,
        jobQueue: queue.jobQueueArn,
        jobDefinition: definition.jobDefinitionArn,
        startedAt: now - HOUR,
        createdAt: now - 2 * HOUR,
      });
    sandbox = await startSandbox({
      clock: 'real',
      startTime: now,
      fleet: {
        region: 'us-east-2',
        account: '123456789012',
        jobQueues: [queue],
        jobDefinitions: [reader, secretReader],
        jobs: [job('param-job', reader), job('secret-job', secretReader)],
        metadata: {
          parameters: [{ name: '/swept/param', type: 'SecureString', version: 1, lastModifiedDate: now - 2 * HOUR }],
          secrets: [
            {
              name: 'swept/db',
              arn: SECRET_ARN,
              versions: [
                {
                  versionId: '00000000-0000-4000-8000-swept0000001',
                  stages: ['AWSCURRENT'],
                  createdDate: now - 2 * HOUR,
                },
              ],
            },
          ],
        },
      },
    });
  });
  afterAll(() => sandbox.stop());

  it('finds nothing to do while every value is older than the jobs', async () => {
    const { code, stdout, stderr } = await sweep('--json');
    expect([code, stderr]).toEqual([0, '']);
    expect(JSON.parse(stdout)).toMatchObject({ resources: 2, notSwept: [], reactions: [] });
  });

  it('catches a parameter update whose event was never delivered, and flags the job that holds the old value', async () => {
    const ssm = new SSMClient({ endpoint: sandbox.endpoint, region: 'us-east-2', credentials });
    await ssm.send(new PutParameterCommand({ Name: '/swept/param', Value: 'new', Overwrite: true }));
    ssm.destroy();
    const { code, stdout } = await sweep('--json');
    expect(code).toBe(0);
    expect(reactionsOf(stdout)).toEqual([{ jobId: 'param-job', action: 'flag', status: 'applied' }]);
    expect(sandbox.job('param-job')?.tags).toHaveProperty(['rotation-reactor:stale-since']);
    expect(sandbox.job('secret-job')?.tags).not.toHaveProperty(['rotation-reactor:stale-since']);
  });

  it('catches a secret rotation whose event was never delivered, and prints it as a table', async () => {
    const secrets = new SecretsManagerClient({ endpoint: sandbox.endpoint, region: 'us-east-2', credentials });
    await secrets.send(new PutSecretValueCommand({ SecretId: 'swept/db', SecretString: 'rotated' }));
    secrets.destroy();
    const { code, stdout } = await sweep();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Swept 2 referenced resources \(0 not swept\)\.$/m);
    expect(stdout).toMatch(/│ secret-job +│ .*│ flag +│ stale +│ applied/);
    expect(sandbox.job('secret-job')?.tags).toHaveProperty(['rotation-reactor:stale-since']);
    const calls = sandbox.countsByOperation();
    expect(calls.DescribeParameters).toBeGreaterThan(0);
    expect(calls.DescribeSecret).toBeGreaterThan(0);
    expect(calls.ListSecretVersionIds).toBeGreaterThan(0);
    expect(Object.keys(calls).filter((op) => /^(Batch)?Get/.test(op))).toEqual([]);
  });

  it('exits 1 with one line when not one resource could be described, never a quiet success', async () => {
    sandbox.setFaults({ serverErrorRate: 1, operations: ['DescribeParameters', 'DescribeSecret'] });
    try {
      const { code, stdout, stderr } = await sweep('--json');
      expect(code).toBe(1);
      expect(JSON.parse(stdout).notSwept).toHaveLength(2);
      expect(stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          /^rotation-reactor: sweep described none of the 2 referenced resources it reads metadata of; nothing was swept \(1× InternalServerError: .*\)$/,
        ),
      ]);
    } finally {
      sandbox.setFaults({});
    }
  });
});

describe('rotation-reactor sweep on a generated fleet (its metadata comes with it)', () => {
  it('describes every resource the fleet references and finds stale jobs; a deleted resource is reported missing', async () => {
    const now = Date.parse('2026-11-28T13:00:00Z');
    const shape = { queues: 2, definitions: 12, liveJobs: 30, parameters: 8, secrets: 5, now, seed: 7 };
    const { fleet, parameters } = generateFleet({ ...shape, deleted: [] });
    const sandbox = await startSandbox({ fleet, clock: 'manual', startTime: now });
    try {
      const { code, stdout } = await runCli('sweep', '--dry-run', '--json', ...sandboxFlags(sandbox.endpoint));
      expect(code).toBe(0);
      const doc = JSON.parse(stdout);
      expect(doc.resources).toBeGreaterThan(0);
      expect(doc.notSwept).toEqual([]);
      expect(doc.plan.reactions.length).toBeGreaterThan(0);
      expect(doc.plan.reactions.some((r: { reason: string }) => r.reason === 'deleted')).toBe(false);
    } finally {
      await sandbox.stop();
    }
    // The same fleet, its first parameter deleted: the jobs that read it are flagged for a deletion.
    const gone = generateFleet({ ...shape, deleted: [parameters[0]] });
    expect(gone.fleet.jobs).toEqual(fleet.jobs);
    const without = await startSandbox({ fleet: gone.fleet, clock: 'manual', startTime: now });
    try {
      const { stdout } = await runCli('sweep', '--dry-run', '--json', ...sandboxFlags(without.endpoint));
      expect(JSON.parse(stdout).plan.reactions.some((r: { reason: string }) => r.reason === 'deleted')).toBe(true);
    } finally {
      await without.stop();
    }
  });
});
