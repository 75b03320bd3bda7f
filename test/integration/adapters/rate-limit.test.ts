import { paginateListJobs } from '@aws-sdk/client-batch';
import { createBatchReader } from '../../../lib/adapters/batch-reader';
import { applyLimiter, createLimiter, type Limiter } from '../../../lib/adapters/rate-limit';
import type { FleetSnapshot } from '../../../lib/core/fleet';
import { startSandbox } from '../../../lib/sandbox';
import { aDefinition, aJob, aQueue } from '../../support/builders';
import { batchClientFor } from '../../support/sandbox';

const TPS = 8;
const queues = Array.from({ length: 6 }, (_, i) =>
  aQueue({ jobQueueName: `q${i}`, jobQueueArn: `arn:aws:batch:us-east-2:123456789012:job-queue/q${i}` }),
);
const fleet: FleetSnapshot = {
  region: 'us-east-2',
  account: '123456789012',
  jobQueues: queues,
  jobDefinitions: [aDefinition()],
  jobs: queues.map((q, i) => aJob({ jobId: `j${i}`, jobQueue: q.jobQueueArn })),
};

/** The most timestamps found in any window [t, t + 1000 ms). */
const maxPerSecond = (times: readonly number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
};

describe('createLimiter', () => {
  it(`never grants more than ${TPS} Batch calls in any second, retries included, and every call takes a token`, async () => {
    const sandbox = await startSandbox({ fleet, dynamodb: false, faults: { throttleRate: 0.2, seed: 7 } });
    const grants: number[] = [];
    const limiter = createLimiter(TPS);
    const recording: Limiter = {
      take: async () => {
        await limiter.take();
        grants.push(Date.now());
      },
    };
    const client = applyLimiter(batchClientFor(sandbox, { maxAttempts: 10 }), recording);
    try {
      const reader = createBatchReader(client);
      const started = Date.now();
      const live = await reader.listLiveJobs(await reader.listQueues());
      for await (const _ of paginateListJobs({ client, pageSize: 1 }, { jobQueue: 'q0', jobStatus: 'RUNNING' })) {
        // a few more sequential calls
      }
      const elapsed = (Date.now() - started) / 1000;
      const requests = sandbox.requests();
      process.stdout.write(
        `rate limit: ${requests.length} requests (${requests.filter((r) => r.outcome === 'throttled').length} throttled) in ${elapsed.toFixed(2)} s, max ${maxPerSecond(grants)} per second at ${TPS} TPS\n`,
      );
      expect(live).toHaveLength(6);
      expect(grants).toHaveLength(requests.length);
      expect(requests.some((r) => r.outcome === 'throttled')).toBe(true);
      expect(maxPerSecond(grants)).toBeLessThanOrEqual(TPS);
      expect(maxPerSecond(grants)).toBeGreaterThanOrEqual(TPS - 1);
    } finally {
      client.destroy();
      await sandbox.stop();
    }
  });
});
