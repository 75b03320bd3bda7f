import type { FleetSnapshot } from '../../lib/core/fleet';
import { POLICY_TAG } from '../../lib/core/policy';
import type { MetadataSource } from '../../lib/core/ports';
import { processChangeBatch, runSweep } from '../../lib/runtime/triggers';
import type { Reactor } from '../../lib/runtime/wiring';
import { aDefinition, aJob, aQueue, T0 } from '../support/builders';
import {
  type CrashPoint,
  crashingDeps,
  printFigure,
  replacedBy,
  SHIPPED,
  SimulatedCrash,
  sampleEvent,
  submissionsPerJob,
  toRequestFigures,
  toSqsRecord,
} from '../support/fault-helpers';
import { startLocalReactor } from '../support/reactor';

const SECOND = 1000;
// A crashed delivery comes back after the change queue's visibility timeout.
const { leaseSeconds: LEASE_SECONDS, visibilityTimeoutSeconds: VISIBILITY_SECONDS } = SHIPPED;

const queue = aQueue({ jobQueueName: 'q', jobQueueArn: 'arn:aws:batch:us-east-2:123456789012:job-queue/q' });
const etl = aDefinition(['/prod/db/password', 'MyExampleParameter'], { jobDefinitionName: 'etl' });
const job = (jobId: string, policy: string) =>
  aJob({
    jobId,
    jobName: jobId,
    jobQueue: queue.jobQueueArn,
    jobDefinition: etl.jobDefinitionArn,
    tags: { [POLICY_TAG]: policy },
  });
const fleet: FleetSnapshot = {
  region: 'us-east-2',
  account: '123456789012',
  jobQueues: [queue],
  jobDefinitions: [etl],
  jobs: [job('stale-resubmit', 'resubmit'), job('stale-flag', 'flag')],
};
const body = JSON.stringify(sampleEvent('ssm/parameter-store-change.update.json'));
// A deleted parameter flags (never resubmits): the resubmit job enters the stale inventory before it is replaced.
const deletion = JSON.stringify(sampleEvent('ssm/parameter-store-change.delete.json'));
const env = { REACTOR_LEASE_SECONDS: String(LEASE_SECONDS) };

const resubmission = async (reactor: Reactor) =>
  (await reactor.deps.ledger.entriesOf('stale-resubmit')).find((e) => e.slot === 'resubmit');

type Local = Awaited<ReturnType<typeof startLocalReactor>>;

/** Flags both jobs (a deletion), then crashes the run that resubmits: returns the crashed delivery and its replacement. */
async function crashAfterSubmit({ sandbox, reactor }: Local, at: CrashPoint) {
  expect(await processChangeBatch([toSqsRecord('delivery-0', deletion)], reactor)).toEqual({ batchItemFailures: [] });
  expect((await reactor.deps.ledger.staleInventory()).map((e) => e.jobId).sort()).toEqual([
    'stale-flag',
    'stale-resubmit',
  ]);
  const crashing = crashingDeps(reactor, at);
  const first = toSqsRecord('delivery-1', body);
  await expect(processChangeBatch([first], crashing.reactor)).rejects.toThrow(SimulatedCrash);
  expect(crashing.crashed()).toBe(true);
  const [replacement] = sandbox.jobs().filter((j) => replacedBy(j.tags) === 'stale-resubmit');
  return { first, replacementJobId: replacement?.jobId };
}

function toWriteFigures(sandbox: Local['sandbox']) {
  const submissions = [...submissionsPerJob(sandbox).values()];
  return {
    ...toRequestFigures(sandbox),
    submits: submissions.reduce((a, b) => a + b, 0),
    terminates: sandbox.countsByOperation().TerminateJob ?? 0,
    duplicates: submissions.filter((n) => n > 1).length,
  };
}

describe('processChangeBatch after a crash between SubmitJob and the ledger', () => {
  it('ships a visibility timeout that outlasts the lease, so a crashed delivery returns only once its claim can be resumed', () => {
    expect(LEASE_SECONDS).toBeGreaterThan(0);
    // A claim is made at most one batching window plus one function timeout after the message was received.
    expect(VISIBILITY_SECONDS).toBeGreaterThan(
      SHIPPED.maxBatchingWindowSeconds + SHIPPED.changeBatchTimeoutSeconds + LEASE_SECONDS,
    );
  });

  it('finishes the termination on redelivery after the lease, with the first replacement and no new SubmitJob', async () => {
    const local = await startLocalReactor(fleet, { env });
    const { sandbox, reactor } = local;
    const ledger = reactor.deps.ledger;
    try {
      const { first, replacementJobId } = await crashAfterSubmit(local, 'terminate');
      expect(replacementJobId).toBeDefined();
      expect(sandbox.job('stale-resubmit')?.status).toBe('RUNNING');
      expect(await resubmission(reactor)).toMatchObject({ state: 'claimed', attempts: 1 });

      // Another copy of the change (EventBridge delivers at least once) while the claim is still leased.
      sandbox.advance(60 * SECOND);
      const early = await processChangeBatch([toSqsRecord('delivery-2', body)], reactor);
      expect(sandbox.countsByOperation()).toMatchObject({ SubmitJob: 1 });
      expect(sandbox.countsByOperation().TerminateJob).toBeUndefined();
      expect(sandbox.job('stale-resubmit')?.status).toBe('RUNNING');
      expect(await resubmission(reactor)).toMatchObject({ state: 'claimed', attempts: 1 });
      // Acknowledged: the crashed delivery itself is still in flight and comes back after the visibility timeout.
      expect(early.batchItemFailures).toEqual([]);

      sandbox.advance((VISIBILITY_SECONDS - 60) * SECOND);
      const retry = await processChangeBatch([first], reactor);

      expect(retry.batchItemFailures).toEqual([]);
      expect(Object.fromEntries(submissionsPerJob(sandbox))).toEqual({ 'stale-resubmit': 1 });
      expect(sandbox.countsByOperation()).toMatchObject({ SubmitJob: 1, TerminateJob: 1 });
      expect(sandbox.job('stale-resubmit')).toMatchObject({
        status: 'FAILED',
        statusReason: expect.stringContaining(`replaced by ${replacementJobId}`),
      });
      expect(await resubmission(reactor)).toMatchObject({
        state: 'done',
        replacementJobId,
        note: 'found the replacement of an earlier attempt',
        attempts: 2,
      });
      const resubmittedEvents = sandbox.events().filter((e) => e.detailType === 'Job Resubmitted');
      expect(resubmittedEvents.map((e) => (e.detail as { replacementJobId?: string }).replacementJobId)).toEqual([
        replacementJobId,
      ]);
      expect(sandbox.job('stale-flag')?.tags).toMatchObject({ 'rotation-reactor:stale-ref': '/prod/db/password' });
      // Two flags of stale-flag (deletion, update) and one of stale-resubmit (deletion), each tagged once.
      expect(sandbox.countsByOperation().TagResource).toBe(3);
      expect((await ledger.staleInventory()).map((e) => e.jobId)).toEqual(['stale-flag', 'stale-flag']);

      const { attempts, retries, submits, terminates, duplicates } = toWriteFigures(sandbox);
      printFigure('crash after SubmitJob, before TerminateJob', {
        deliveries: 4,
        attempts,
        retries,
        submits,
        terminates,
        duplicates,
      });
    } finally {
      await local.stop();
    }
  });

  it('records the replacement after a redelivery and a sweep when the crash came after TerminateJob, before the ledger', async () => {
    const local = await startLocalReactor(fleet, { env });
    const { sandbox, reactor } = local;
    try {
      const { first, replacementJobId } = await crashAfterSubmit(local, 'complete');
      expect(sandbox.job('stale-resubmit')).toMatchObject({
        status: 'FAILED',
        statusReason: expect.stringContaining(`replaced by ${replacementJobId}`),
      });
      sandbox.advance(VISIBILITY_SECONDS * SECOND);
      const retry = await processChangeBatch([first], reactor);
      // And the scheduled sweep, with metadata that says what the events said (no call leaves the machine).
      const metadata: MetadataSource = {
        describe: async (resources) => ({
          found: resources.map((resource) => ({ resource, exists: true, lastChangedAt: T0 })),
          failed: [],
        }),
      };
      await runSweep({ ...reactor, deps: { ...reactor.deps, metadata } });

      expect(retry.batchItemFailures).toEqual([]);
      expect(sandbox.countsByOperation()).toMatchObject({ SubmitJob: 1, TerminateJob: 1 });
      const { attempts, retries, submits, terminates, duplicates } = toWriteFigures(sandbox);
      const entry = await resubmission(reactor);
      const inventory = (await reactor.deps.ledger.staleInventory()).map((e) => e.jobId);
      printFigure('crash after TerminateJob, before the ledger', {
        deliveries: 3,
        sweeps: 1,
        attempts,
        retries,
        submits,
        terminates,
        ledger: entry?.state ?? 'none',
        replacedJobInInventory: String(inventory.includes('stale-resubmit')),
        duplicates,
      });
      // The stale job is no longer live, so neither the redelivery nor the sweep plans it again: only a
      // reconciliation of expired claims can record what the crashed attempt did.
      expect(entry).toMatchObject({ state: 'done', replacementJobId });
      expect(inventory).not.toContain('stale-resubmit');
    } finally {
      await local.stop();
    }
  });
});
