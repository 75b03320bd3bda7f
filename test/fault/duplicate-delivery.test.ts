import { POLICY_TAG } from '../../lib/core/policy';
import type { Reactor } from '../../lib/runtime/wiring';
import { aJob, aSnapshot, ETL, MINUTE, QUEUE, T0 } from '../support/builders';
import {
  attachReactor,
  detachReactor,
  loadContainerTriggers,
  printFigure,
  sampleEvent,
  submissionsPerJob,
  toRequestFigures,
  toSqsRecord,
} from '../support/fault-helpers';
import { startLocalReactor } from '../support/reactor';

const DELIVERIES = 10;
const queue = QUEUE;
const etl = ETL;
const job = (jobId: string, policy?: string, overrides: Parameters<typeof aJob>[0] = {}) =>
  aJob({
    jobId,
    jobName: jobId,
    jobQueue: queue.jobQueueArn,
    jobDefinition: etl.jobDefinitionArn,
    tags: policy ? { [POLICY_TAG]: policy } : {},
    ...overrides,
  });

const resubmitted = ['resubmit-1', 'resubmit-2', 'resubmit-3', 'resubmit-4'];
const flagged = ['flag-1', 'flag-2', 'flag-3', 'on-failure-1'];
const fleet = aSnapshot({
  jobs: [
    ...resubmitted.map((id) => job(id, 'resubmit')),
    job('flag-1'),
    job('flag-2', 'flag'),
    job('flag-3', undefined, { status: 'STARTING', startedAt: undefined }),
    job('on-failure-1', 'resubmit-on-failure'),
    job('fresh', 'resubmit', { startedAt: T0 + 5 * MINUTE }),
    job('ignored', 'ignore'),
  ],
});
const body = JSON.stringify(sampleEvent('ssm/parameter-store-change.update.json'));

describe('processChangeBatch under duplicate delivery', () => {
  it('acts once per stale job when the same change arrives 10 times at once, in 10 containers', async () => {
    const local = await startLocalReactor(fleet, { env: { REACTOR_MAX_RESUBMITS_PER_CHANGE: '100' } });
    const containers: Reactor[] = Array.from({ length: DELIVERIES }, () => attachReactor(local.sandbox, local.config));
    try {
      const { sandbox } = local;
      const responses = await Promise.all(
        containers.map((reactor, i) =>
          loadContainerTriggers().processChangeBatch([toSqsRecord(`delivery-${i}`, body)], reactor),
        ),
      );

      expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
      const submissions = submissionsPerJob(sandbox);
      expect(Object.fromEntries(submissions)).toEqual(Object.fromEntries(resubmitted.map((id) => [id, 1])));
      const counts = sandbox.countsByOperation();
      expect(counts).toMatchObject({
        SubmitJob: resubmitted.length,
        TerminateJob: resubmitted.length,
        TagResource: flagged.length,
      });

      const ledger = local.reactor.deps.ledger;
      for (const jobId of resubmitted) {
        const entries = await ledger.entriesOf(jobId);
        expect(entries).toEqual([expect.objectContaining({ slot: 'resubmit', state: 'done', attempts: 1 })]);
        expect(sandbox.job(jobId)).toMatchObject({
          status: 'FAILED',
          statusReason: expect.stringContaining(`replaced by ${entries[0].replacementJobId}`),
        });
      }
      for (const jobId of flagged) {
        expect(await ledger.entriesOf(jobId)).toEqual([expect.objectContaining({ state: 'done', attempts: 1 })]);
        expect(sandbox.job(jobId)?.tags).toMatchObject({ 'rotation-reactor:stale-ref': '/prod/db/password' });
      }
      for (const jobId of ['fresh', 'ignored']) {
        expect(await ledger.entriesOf(jobId)).toEqual([]);
        expect(sandbox.job(jobId)?.status).toBe('RUNNING');
      }

      // Each container reports its own run: one applied each action, the other nine saw a duplicate.
      const runs = sandbox.events().filter((e) => e.detailType === 'Change Processed');
      const total = (field: 'resubmitted' | 'flagged' | 'duplicates' | 'failed') =>
        runs.reduce((sum, e) => sum + ((e.detail as { counts: Record<string, number> }).counts[field] ?? 0), 0);
      expect(runs).toHaveLength(DELIVERIES);
      expect({ resubmitted: total('resubmitted'), flagged: total('flagged'), failed: total('failed') }).toEqual({
        resubmitted: resubmitted.length,
        flagged: flagged.length,
        failed: 0,
      });
      expect(total('duplicates')).toBe((DELIVERIES - 1) * (resubmitted.length + flagged.length));

      const { attempts, retries } = toRequestFigures(sandbox);
      printFigure('duplicate delivery ×10', {
        deliveries: DELIVERIES,
        attempts,
        retries,
        submits: counts.SubmitJob,
        terminates: counts.TerminateJob,
        tags: counts.TagResource,
        absorbed: total('duplicates'),
        failedRecords: 0,
        duplicates: [...submissions.values()].filter((n) => n > 1).length,
      });
    } finally {
      containers.forEach(detachReactor);
      await local.stop();
    }
  });
});
