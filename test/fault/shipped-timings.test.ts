/**
 * The reactor under the timings it ships with (serverless.yml): a change acted on one batching window (20 s) after
 * it happened, replacements that start inside the stale margin (60 s), redeliveries within the margin and after the
 * visibility timeout (1,020 s), the sweep 15 minutes later, a claim holder that is slow but alive, a caller whose
 * clock runs an hour ahead, the job-failure path under server errors, arrays, and the blast-radius cap across
 * deliveries. Each scenario prints its figures; duplicates and lost actions must be 0.
 */
import type { SQSRecord } from 'aws-lambda';
import type { FleetSnapshot } from '../../lib/core/fleet';
import { POLICY_TAG } from '../../lib/core/keys';
import type { Ledger } from '../../lib/core/ports';
import { processChangeBatch, processJobStateChange, runSweep } from '../../lib/runtime/triggers';
import { createReactor, type Reactor } from '../../lib/runtime/wiring';
import type { Sandbox } from '../../lib/sandbox';
import { aDefinition, aJob, aQueue } from '../support/builders';
import {
  aParameterUpdate,
  loseFirstResponse,
  printFigure,
  replacedBy,
  SHIPPED,
  SHIPPED_ENV,
  submissionsPerJob,
  toSqsRecord,
} from '../support/fault-helpers';
import { startLocalReactor } from '../support/reactor';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** When the parameter changed (and the event says so). */
const CHANGED = Date.parse('2026-11-28T12:00:00Z');
const WINDOW = SHIPPED.changeBatchingWindowSeconds * SECOND;
const MARGIN = SHIPPED.staleMarginSeconds * SECOND;
const LEASE = SHIPPED.leaseSeconds * SECOND;
const VISIBILITY = SHIPPED.visibilityTimeoutSeconds * SECOND;
const PARAMETER = '/prod/db/password';

const queue = aQueue({
  jobQueueName: 'etl-prod',
  jobQueueArn: 'arn:aws:batch:us-east-2:123456789012:job-queue/etl-prod',
});
const etl = aDefinition([PARAMETER], { jobDefinitionName: 'nightly-etl' });
const aStaleJob = (jobId: string, policy: string, startedAt = CHANGED - 30 * MINUTE, extra = {}) =>
  aJob({
    jobId,
    jobName: jobId,
    jobQueue: queue.jobQueueArn,
    jobDefinition: etl.jobDefinitionArn,
    startedAt,
    createdAt: startedAt - MINUTE,
    tags: { [POLICY_TAG]: policy },
    ...extra,
  });
const aFleet = (jobs: FleetSnapshot['jobs']): FleetSnapshot & { metadata: unknown } => ({
  region: 'us-east-2',
  account: '123456789012',
  jobQueues: [queue],
  jobDefinitions: [etl],
  jobs,
  // What the sweep reads: the parameter last changed when the event said.
  metadata: {
    parameters: [
      { name: PARAMETER, type: 'SecureString', version: 2, lastModifiedDate: new Date(CHANGED).toISOString() },
    ],
    secrets: [],
  },
});

type Local = Awaited<ReturnType<typeof startLocalReactor>>;

/** A sandbox whose clock starts when SQS hands the change over: one batching window after it happened. */
const start = (jobs: FleetSnapshot['jobs'], env: Record<string, string> = {}) =>
  startLocalReactor(aFleet(jobs) as FleetSnapshot, {
    env: { ...SHIPPED_ENV, ...env },
    sandbox: { startTime: CHANGED + WINDOW },
    metadata: 'sandbox',
  });

/** The change event, delivered as SQS would (sent when EventBridge received it). */
const delivery = (messageId: string, changedAt = CHANGED) =>
  toSqsRecord(messageId, JSON.stringify(aParameterUpdate(PARAMETER, changedAt, `event-${messageId}`)), changedAt + 500);

/** Another "Lambda container" on the same sandbox and ledger: its own clients, its own (possibly skewed) clock. */
function anotherContainer(local: Local, skewMs = 0): Reactor {
  const { sandbox } = local;
  return createReactor(local.config, {
    credentials: async () => ({ accessKeyId: 'test', secretAccessKey: 'test' }),
    endpoints: { batch: sandbox.endpoint, events: sandbox.endpoint, dynamodb: sandbox.endpoint },
    clock: () => sandbox.now() + skewMs,
    localClocks: { monotonic: () => sandbox.now(), wall: () => sandbox.now() + skewMs },
  });
}

/** The same reactor with its ledger's `renew` wrapped (what happens around the last step before SubmitJob). */
function aroundRenew(
  reactor: Reactor,
  around: (renew: () => ReturnType<Ledger['renew']>) => ReturnType<Ledger['renew']>,
) {
  const ledger: Ledger = { ...reactor.deps.ledger, renew: (ticket) => around(() => reactor.deps.ledger.renew(ticket)) };
  return { ...reactor, deps: { ...reactor.deps, ledger } };
}

/** Stale jobs that ended neither replaced nor flagged: lost actions. */
async function lostOf(local: Local, stale: readonly string[]): Promise<string[]> {
  const lost: string[] = [];
  for (const jobId of stale) {
    const entries = await local.reactor.deps.ledger.entriesOf(jobId);
    if (!entries.some((e) => e.state === 'done')) lost.push(jobId);
  }
  return lost;
}

function figures(sandbox: Sandbox) {
  const submissions = [...submissionsPerJob(sandbox).values()];
  return {
    submits: submissions.reduce((a, b) => a + b, 0),
    terminates: sandbox.countsByOperation().TerminateJob ?? 0,
    duplicates: submissions.filter((n) => n > 1).length,
  };
}

const process = async (records: SQSRecord[], reactor: Reactor) => processChangeBatch(records, reactor);

describe('the reactor under its shipped timings', () => {
  it('ships the timings these scenarios use', () => {
    expect({ WINDOW, MARGIN, LEASE, VISIBILITY, sweep: SHIPPED.sweepMinutes }).toEqual({
      WINDOW: 20 * SECOND,
      MARGIN: 60 * SECOND,
      LEASE: 300 * SECOND,
      VISIBILITY: 1020 * SECOND,
      sweep: 15,
    });
  });

  it('never resubmits its own replacement: not on a duplicate within the margin, a redelivery, nor the sweep', async () => {
    const local = await start([aStaleJob('etl-1', 'resubmit'), aStaleJob('etl-2', 'resubmit')]);
    const { sandbox, reactor } = local;
    try {
      expect(await process([delivery('m1')], reactor)).toEqual({ batchItemFailures: [] });
      const replacements = sandbox
        .jobs()
        .filter((j) => replacedBy(j.tags))
        .map((j) => j.jobId);
      expect(replacements).toHaveLength(2);
      // The copies start 3 s after their submission: well inside the 60 s margin of the change.
      sandbox.advance(WINDOW);
      for (const id of replacements) expect(sandbox.job(id)).toMatchObject({ status: 'RUNNING' });
      expect(sandbox.job(replacements[0])?.startedAt).toBeLessThan(CHANGED + MARGIN);

      // EventBridge delivers the event twice (at least once): the copy arrives 40 s after the change.
      expect(await process([delivery('m1-again')], reactor)).toEqual({ batchItemFailures: [] });
      // The first message comes back after the visibility timeout (as after a partial batch failure).
      sandbox.advance(VISIBILITY);
      expect(await process([delivery('m1')], reactor)).toEqual({ batchItemFailures: [] });
      // The sweep 15 minutes on finds the parameter changed at CHANGED (its metadata) and the copies running.
      sandbox.advance(SHIPPED.sweepMinutes * MINUTE);
      const swept = await runSweep(reactor);
      expect(swept).toMatchObject({ paused: false });
      const skipped = swept.paused ? [] : swept.report.plan.skipped;

      for (const id of replacements) expect(sandbox.job(id)).toMatchObject({ status: 'RUNNING' });
      expect(skipped.filter((s) => replacements.includes(s.jobId)).map((s) => s.reason)).toEqual([
        'is-replacement',
        'is-replacement',
      ]);
      const result = { ...figures(sandbox), lost: (await lostOf(local, ['etl-1', 'etl-2'])).length };
      expect(result).toEqual({ submits: 2, terminates: 2, duplicates: 0, lost: 0 });
      printFigure('replacement inside the margin, redelivered ×2 and swept', { deliveries: 3, sweeps: 1, ...result });
    } finally {
      await local.stop();
    }
  });

  it('submits once when the claim holder is slow but alive and another container takes the claim over', async () => {
    const local = await start([aStaleJob('etl-1', 'resubmit')]);
    const { sandbox, reactor } = local;
    const other = anotherContainer(local);
    try {
      let takeover: Promise<unknown> | undefined;
      // Container A renews its claim, then stalls longer than the lease before SubmitJob leaves (a long GC, a
      // throttled retry loop); meanwhile the message comes back to container B after the visibility timeout.
      const slow = aroundRenew(reactor, async (renew) => {
        const fence = await renew();
        sandbox.advance(VISIBILITY);
        takeover = process([delivery('m1')], other);
        await takeover;
        return fence;
      });
      const first = await process([delivery('m1')], slow);
      expect(await takeover).toEqual({ batchItemFailures: [] });
      // A's own SubmitJob never left (its fence expired): its record is retried, and finds the work done.
      expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
      sandbox.advance(VISIBILITY);
      expect(await process([delivery('m1')], reactor)).toEqual({ batchItemFailures: [] });

      const result = { ...figures(sandbox), lost: (await lostOf(local, ['etl-1'])).length };
      expect(result).toEqual({ submits: 1, terminates: 1, duplicates: 0, lost: 0 });
      printFigure('slow-but-alive holder, taken over after the lease', { containers: 2, ...result });
    } finally {
      other.destroy();
      await local.stop();
    }
  });

  it('submits once when the holder stalls before renewing and finds its claim taken over', async () => {
    const local = await start([aStaleJob('etl-1', 'resubmit')]);
    const { sandbox, reactor } = local;
    const other = anotherContainer(local);
    try {
      const stalled = aroundRenew(reactor, async (renew) => {
        sandbox.advance(LEASE + 2 * SECOND);
        expect(await process([delivery('m1-b')], other)).toEqual({ batchItemFailures: [] });
        return renew();
      });
      const outcome = await process([delivery('m1')], stalled);
      expect(outcome).toEqual({ batchItemFailures: [] });
      const result = { ...figures(sandbox), lost: (await lostOf(local, ['etl-1'])).length };
      expect(result).toEqual({ submits: 1, terminates: 1, duplicates: 0, lost: 0 });
      printFigure('holder stalled before renewing', { containers: 2, ...result });
    } finally {
      other.destroy();
      await local.stop();
    }
  });

  it('ignores a runner whose clock is an hour ahead: it cannot take over a fresh claim', async () => {
    const local = await start([aStaleJob('etl-1', 'resubmit')]);
    const { sandbox, reactor } = local;
    const laptop = anotherContainer(local, 60 * MINUTE);
    try {
      // While A holds a fresh claim, an operator's laptop replays the same change.
      const held = aroundRenew(reactor, async (renew) => {
        expect(await process([delivery('replayed')], laptop)).toEqual({ batchItemFailures: [] });
        return renew();
      });
      expect(await process([delivery('m1')], held)).toEqual({ batchItemFailures: [] });
      const result = { ...figures(sandbox), lost: (await lostOf(local, ['etl-1'])).length };
      expect(result).toEqual({ submits: 1, terminates: 1, duplicates: 0, lost: 0 });
      printFigure('clock skew of +1 h on a second runner', { runners: 2, ...result });
    } finally {
      laptop.destroy();
      await local.stop();
    }
  });

  it('holds the blast-radius cap per change across deliveries and the sweep, counting array children', async () => {
    const singles = Array.from({ length: 20 }, (_, i) =>
      aStaleJob(`etl-${String(i).padStart(2, '0')}`, 'resubmit', CHANGED - (40 - i) * MINUTE),
    );
    // An array of 10 children started last: it would take the budget from 20 to 30.
    const arrayParent = aStaleJob('shards', 'resubmit', CHANGED - 5 * MINUTE, {
      status: 'PENDING',
      arrayProperties: { size: 10 },
    });
    const children = [0, 1].map((i) =>
      aStaleJob(`shards:${i}`, 'resubmit', CHANGED - 5 * MINUTE, { arrayProperties: { index: i } }),
    );
    const local = await start([...singles, arrayParent, ...children]);
    const { sandbox, reactor } = local;
    try {
      await process([delivery('m1')], reactor);
      await process([delivery('m1-again')], reactor);
      sandbox.advance(SHIPPED.sweepMinutes * MINUTE);
      await runSweep(reactor);
      const capped = figures(sandbox);
      expect(capped.submits).toBe(20);
      expect((await reactor.deps.ledger.staleInventory()).map((e) => `${e.jobId}`)).toContain('shards');

      // An operator raises the cap (no redeploy): the next delivery resubmits what was held back, once.
      await reactor.deps.control.write({ maxResubmitsPerChange: 30 }, { who: 'ops', why: 'approved' });
      await process([delivery('m1-third')], reactor);
      const result = {
        ...figures(sandbox),
        lost: (await lostOf(local, [...singles.map((j) => j.jobId), 'shards'])).length,
      };
      expect(result).toMatchObject({ submits: 21, duplicates: 0, lost: 0 });
      printFigure('cap 25 per change across 3 deliveries and a sweep', { capped: capped.submits, ...result });
    } finally {
      await local.stop();
    }
  });

  it('rejects a change dated later than its arrival (a forged or broken event) and acts on nothing', async () => {
    const local = await start([aStaleJob('etl-1', 'resubmit', CHANGED + 10 * MINUTE)]);
    const { sandbox, reactor } = local;
    try {
      const forged = toSqsRecord(
        'forged',
        JSON.stringify(aParameterUpdate(PARAMETER, CHANGED + 24 * 60 * MINUTE, 'forged')),
        CHANGED + WINDOW,
      );
      expect(await process([forged], reactor)).toEqual({ batchItemFailures: [] });
      expect(figures(sandbox)).toEqual({ submits: 0, terminates: 0, duplicates: 0 });
      expect(sandbox.countsByOperation().TagResource ?? 0).toBe(0);
    } finally {
      await local.stop();
    }
  });

  it('stops starting actions when the invocation runs short of time, and the retry finishes without redoing', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) => aStaleJob(`flag-${i}`, 'flag'));
    const local = await start(jobs);
    const { sandbox, reactor } = local;
    try {
      // 100 s left, every action costs 15 s of it: the 20 s reserve stops the run after a few.
      let remaining = 100_000;
      const first = await processChangeBatch([delivery('m1')], reactor, () => {
        remaining -= 15_000;
        return remaining;
      });
      expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
      const taggedFirst = sandbox.countsByOperation().TagResource ?? 0;
      expect(taggedFirst).toBeGreaterThan(0);
      expect(taggedFirst).toBeLessThan(12);
      sandbox.advance(VISIBILITY);
      expect(await processChangeBatch([delivery('m1')], reactor, () => 120_000)).toEqual({ batchItemFailures: [] });
      const tags = sandbox.countsByOperation().TagResource ?? 0;
      const result = {
        tags,
        duplicates: tags - 12,
        lost: (
          await lostOf(
            local,
            jobs.map((j) => j.jobId),
          )
        ).length,
      };
      expect(result).toEqual({ tags: 12, duplicates: 0, lost: 0 });
      printFigure('time budget: 12 flags, deferred then finished', { firstRun: taggedFirst, ...result });
    } finally {
      await local.stop();
    }
  });

  describe('the job-failure path', () => {
    const failedEvent = (jobId: string) => ({ jobId, status: 'FAILED' });

    it('resubmits once through 5xx and a lost response, and never resurrects a terminated job', async () => {
      const local = await start([
        aStaleJob('on-failure', 'resubmit-on-failure'),
        aStaleJob('lost', 'resubmit-on-failure'),
        aStaleJob('stopped', 'resubmit-on-failure'),
      ]);
      const { sandbox, reactor } = local;
      try {
        await process([delivery('m1')], reactor);
        expect(figures(sandbox).submits).toBe(0);
        for (const id of ['on-failure', 'lost']) sandbox.failJob(id);
        await reactor.clients.batch.send(
          new (await import('@aws-sdk/client-batch')).TerminateJobCommand({
            jobId: 'stopped',
            reason: 'ops: bad input',
          }),
        );

        // Batch answers 500 to SubmitJob: the invocation fails (Lambda retries it), nothing is lost.
        sandbox.setFaults({ serverErrorRate: 1, operations: ['SubmitJob'] });
        await expect(processJobStateChange(failedEvent('on-failure'), reactor)).rejects.toMatchObject({
          name: 'TransientError',
        });
        sandbox.setFaults({});
        await expect(processJobStateChange(failedEvent('on-failure'), reactor)).resolves.toMatchObject({
          status: 'decided',
        });
        // Batch accepts SubmitJob but the response is lost: the retry finds the copy by its lineage.
        loseFirstResponse(reactor.clients.batch, 'SubmitJob');
        await expect(processJobStateChange(failedEvent('lost'), reactor)).rejects.toMatchObject({
          name: 'TransientError',
        });
        await expect(processJobStateChange(failedEvent('lost'), reactor)).resolves.toMatchObject({ status: 'decided' });
        // An operator terminated this one on purpose: not resubmitted.
        await expect(processJobStateChange(failedEvent('stopped'), reactor)).resolves.toMatchObject({
          status: 'terminated',
        });
        // A duplicate delivery of the event changes nothing.
        await expect(processJobStateChange(failedEvent('on-failure'), reactor)).resolves.toMatchObject({
          status: 'duplicate',
        });
        const result = figures(sandbox);
        expect(result).toMatchObject({ submits: 2, duplicates: 0 });
        expect([...submissionsPerJob(sandbox).keys()].sort()).toEqual(['lost', 'on-failure']);
        printFigure('job failure under 5xx and a lost response', { ...result, lost: 0 });
      } finally {
        await local.stop();
      }
    });

    it('resubmits a failed array once, as its parent, whichever child or parent event comes first', async () => {
      const parent = aStaleJob('shards', 'resubmit-on-failure', CHANGED - 5 * MINUTE, {
        status: 'PENDING',
        arrayProperties: { size: 3 },
      });
      const children = [0, 1, 2].map((i) =>
        aStaleJob(`shards:${i}`, 'resubmit-on-failure', CHANGED - 5 * MINUTE, { arrayProperties: { index: i } }),
      );
      const local = await start([parent, ...children]);
      const { sandbox, reactor } = local;
      try {
        await process([delivery('m1')], reactor);
        // Child 1 fails: the array is not FAILED until its other children end too (they fail here).
        sandbox.failJob('shards:1');
        await expect(processJobStateChange(failedEvent('shards:1'), reactor)).resolves.toMatchObject({
          status: 'not-failed',
        });
        for (const id of ['shards:0', 'shards:2']) sandbox.failJob(id);
        for (const id of ['shards:1', 'shards', 'shards:0']) await processJobStateChange(failedEvent(id), reactor);
        const [submission] = sandbox.submissions() as { arrayProperties?: { size: number } }[];
        expect(sandbox.submissions()).toHaveLength(1);
        expect(submission.arrayProperties).toEqual({ size: 3 });
        expect([...submissionsPerJob(sandbox).keys()]).toEqual(['shards']);
        printFigure('array failure → one parent copy', { ...figures(sandbox), lost: 0 });
      } finally {
        await local.stop();
      }
    });
  });
});
