import { POLICY_TAG } from '../../lib/core/policy';
import { processChangeBatch } from '../../lib/runtime/triggers';
import { aJob, aSnapshot, ETL, QUEUE } from '../support/builders';
import {
  deliverUntilSettled,
  loseFirstResponse,
  printFigure,
  replacedBy,
  SHIPPED,
  sampleEvent,
  submissionsPerJob,
  toRequestFigures,
  toSqsRecord,
} from '../support/fault-helpers';
import { startLocalReactor } from '../support/reactor';

const VISIBILITY_MS = SHIPPED.visibilityTimeoutSeconds * 1000;
const queue = QUEUE;
const etl = ETL;
const fleet = aSnapshot({
  jobs: [
    aJob({
      jobId: 'stale-resubmit',
      jobName: 'stale-resubmit',
      jobQueue: queue.jobQueueArn,
      jobDefinition: etl.jobDefinitionArn,
      tags: { [POLICY_TAG]: 'resubmit' },
    }),
  ],
});
const body = JSON.stringify(sampleEvent('ssm/parameter-store-change.update.json'));

describe('processChangeBatch when a write reached Batch but its response was lost', () => {
  it.each([
    'SubmitJob',
    'TerminateJob',
  ])('submits one replacement when the response of %s is lost (connection reset after Batch acted)', async (operation) => {
    // Production wiring: adaptive retries, 8 attempts.
    const local = await startLocalReactor(fleet);
    const { sandbox, reactor } = local;
    try {
      loseFirstResponse(reactor.clients.batch, operation);
      const { rounds, pending } = await deliverUntilSettled(
        [toSqsRecord('delivery-1', body)],
        async (batch) => {
          const response = await processChangeBatch(batch, reactor);
          // A redelivery comes after the change queue's visibility timeout.
          sandbox.advance(VISIBILITY_MS);
          return response;
        },
        5,
      );
      const submissions = submissionsPerJob(sandbox);
      const { attempts, retries } = toRequestFigures(sandbox);
      printFigure(`lost ${operation} response`, {
        deliveries: rounds.reduce((n, r) => n + r.delivered, 0),
        attempts,
        retries,
        submits: submissions.get('stale-resubmit') ?? 0,
        terminates: sandbox.countsByOperation().TerminateJob ?? 0,
        duplicates: Math.max(0, (submissions.get('stale-resubmit') ?? 0) - 1),
      });

      expect(pending).toEqual([]);
      expect(Object.fromEntries(submissions)).toEqual({ 'stale-resubmit': 1 });
      const [replacement] = sandbox.jobs().filter((j) => replacedBy(j.tags) === 'stale-resubmit');
      expect(sandbox.job('stale-resubmit')).toMatchObject({
        status: 'FAILED',
        statusReason: expect.stringContaining(`replaced by ${replacement.jobId}`),
      });
      expect(await reactor.deps.ledger.entriesOf('stale-resubmit')).toEqual([
        expect.objectContaining({ state: 'done', replacementJobId: replacement.jobId }),
      ]);
    } finally {
      await local.stop();
    }
  });
});
