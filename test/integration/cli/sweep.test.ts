import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { FleetSnapshot } from '../../../lib/core/fleet';
import { aDefinition, aJob, aQueue } from '../../support/builders';
import { runCli, sandboxFlags } from '../../support/cli';
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
    await local.stop();
    await moto.stop();
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
