import type { SQSRecord } from 'aws-lambda';
import type { LedgerEntry } from '../../lib/core/ports';
import { processChangeBatch } from '../../lib/runtime/triggers';
import type { Reactor } from '../../lib/runtime/wiring';
import { generateFleet } from '../../lib/sandbox/fleet-generator';
import {
  aParameterUpdate,
  aSecretRotation,
  BATCH_OPERATIONS,
  deliverUntilSettled,
  printFigure,
  replacedBy,
  submissionsPerJob,
  toRequestFigures,
  toSqsRecord,
  withPromptBatchRetries,
} from '../support/fault-helpers';
import { startLocalReactor } from '../support/reactor';

const START = Date.parse('2026-11-28T13:00:00Z');
const HOUR = 3_600_000;
const MAX_ROUNDS = 10;
// Fewer attempts than production (8), so some calls exhaust them and records really are redelivered.
const MAX_ATTEMPTS = 4;
const SEED = 20261128;
const generated = generateFleet({
  queues: 2,
  definitions: 24,
  liveJobs: 100,
  queuedJobs: 5,
  parameters: 12,
  secrets: 8,
  now: START,
  seed: SEED,
});
const { parameters, secrets } = generated;
// All revisions ACTIVE: a job on an INACTIVE revision is flagged instead of resubmitted, and this suite wants
// plenty of resubmissions (SubmitJob, then TerminateJob) under faults.
const fleet = {
  ...generated.fleet,
  jobDefinitions: generated.fleet.jobDefinitions.map((d) => ({ ...d, status: 'ACTIVE' as const })),
};

// A deploy rotates everything at 11:00: every resource changes, most more than once, as two or three events
// (delivered out of order), each also delivered twice by EventBridge.
function toStorm(): SQSRecord[] {
  const events: Record<string, unknown>[] = [];
  parameters.forEach((name, i) => {
    for (let k = 0; k <= i % 3; k++) events.push(aParameterUpdate(name, START - 2 * HOUR + k * 1000, `p-${i}-${k}`));
  });
  secrets.forEach((id, i) => {
    for (let k = 0; k <= i % 2; k++) events.push(aSecretRotation(id, START - 2 * HOUR + k * 1000, `s-${i}-${k}`));
  });
  const deliveries = events.flatMap((event, i) => [event, ...(i % 2 === 0 ? [event] : [])]);
  // Interleave, deterministically, so duplicates land in different batches.
  const order = deliveries.map((_, i) => i).sort((a, b) => ((a * 37) % 101) - ((b * 37) % 101));
  return order.map((i, n) => toSqsRecord(`msg-${n}`, JSON.stringify(deliveries[i])));
}

interface RunResult {
  readonly flagged: Set<string>;
  readonly resubmitted: Map<string, string>;
  readonly entries: LedgerEntry[];
  readonly rounds: number;
  readonly redelivered: number;
  readonly pending: number;
}

async function runStorm(reactor: Reactor): Promise<RunResult> {
  const { rounds, pending } = await deliverUntilSettled(
    toStorm(),
    (batch) => processChangeBatch(batch, reactor),
    MAX_ROUNDS,
  );
  const entries = await reactor.deps.ledger.listSince(0);
  const done = entries.filter((e) => e.state === 'done');
  return {
    flagged: new Set(done.filter((e) => e.slot !== 'resubmit').map((e) => e.jobId)),
    resubmitted: new Map(done.filter((e) => e.slot === 'resubmit').map((e) => [e.jobId, e.replacementJobId ?? ''])),
    entries,
    rounds: rounds.length,
    redelivered: rounds.slice(1).reduce((n, r) => n + r.delivered, 0),
    pending: pending.length,
  };
}

const env = { REACTOR_MAX_RESUBMITS_PER_CHANGE: '1000' };

describe('processChangeBatch under Batch throttling and server errors', () => {
  it('applies every planned action exactly once, as a fault-free run does', async () => {
    const started = Date.now();
    const clean = await startLocalReactor(fleet, { env });
    let expected: RunResult;
    try {
      expected = await runStorm(clean.reactor);
    } finally {
      await clean.stop();
    }
    const cleanMs = Date.now() - started;
    expect(expected.rounds).toBe(1);
    expect(expected.resubmitted.size).toBeGreaterThan(5);
    expect(expected.flagged.size).toBeGreaterThan(5);

    const local = await startLocalReactor(fleet, { env });
    const prompt = withPromptBatchRetries(local.reactor, local.sandbox, MAX_ATTEMPTS);
    try {
      const { sandbox } = local;
      sandbox.setFaults({ throttleRate: 0.3, serverErrorRate: 0.05, seed: SEED, operations: [...BATCH_OPERATIONS] });
      const faulty = await runStorm(prompt.reactor);
      const faultyMs = Date.now() - started - cleanMs;

      expect(faulty.pending).toBe(0);
      expect(faulty.entries.filter((e) => e.state !== 'done')).toEqual([]);
      expect([...faulty.flagged].sort()).toEqual([...expected.flagged].sort());
      expect([...faulty.resubmitted.keys()].sort()).toEqual([...expected.resubmitted.keys()].sort());

      const submissions = submissionsPerJob(sandbox);
      expect([...submissions.keys()].sort()).toEqual([...expected.resubmitted.keys()].sort());
      expect([...submissions.values()].every((n) => n === 1)).toBe(true);
      for (const [jobId, replacementJobId] of faulty.resubmitted) {
        expect(sandbox.job(jobId)).toMatchObject({
          status: 'FAILED',
          statusReason: expect.stringContaining(`replaced by ${replacementJobId}`),
        });
        expect(replacedBy(sandbox.job(replacementJobId)?.tags)).toBe(jobId);
      }

      // Every flag that reached Batch was tagged by exactly one successful TagResource.
      const tagged = faulty.entries.filter((e) => e.slot !== 'resubmit' && e.note === 'tagged').length;
      const tags = sandbox.requests().filter((r) => r.operation === 'TagResource' && r.outcome === 'ok').length;
      expect(tags).toBe(tagged);

      const { attempts, retries, throttled, serverErrors } = toRequestFigures(sandbox);
      printFigure('30 % throttled + 5 % 5xx', {
        jobs: fleet.jobs.length,
        records: toStorm().length,
        rounds: faulty.rounds,
        redelivered: faulty.redelivered,
        attempts,
        retries,
        throttled,
        serverErrors,
        faultedWrites: sandbox
          .requests()
          .filter((r) => ['SubmitJob', 'TerminateJob', 'TagResource'].includes(r.operation) && r.outcome !== 'ok')
          .length,
        reclaimed: faulty.entries.filter((e) => e.attempts > 1).length,
        flagged: faulty.flagged.size,
        resubmitted: faulty.resubmitted.size,
        submits: [...submissions.values()].reduce((a, b) => a + b, 0),
        tags,
        duplicates: [...submissions.values()].filter((n) => n > 1).length,
        cleanMs,
        faultyMs,
      });
    } finally {
      prompt.destroy();
      await local.stop();
    }
  });
});
