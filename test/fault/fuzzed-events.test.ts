import { readdirSync } from 'node:fs';
import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { parseChange } from '../../lib/core/change';
import type { PlanOptions } from '../../lib/core/decision';
import { type FleetSnapshot, isChildJob } from '../../lib/core/fleet';
import { plan } from '../../lib/core/plan';
import { POLICY_TAG } from '../../lib/core/policy';
import type { RunReport } from '../../lib/core/react';
import * as observability from '../../lib/runtime/observability';
import { processChangeBatch } from '../../lib/runtime/triggers';
import { aDefinition, aJob, aQueue, HOME, MINUTE, T0 } from '../support/builders';
import { printFigure, SHIPPED, sampleEvent, toRequestFigures, toSqsRecord } from '../support/fault-helpers';
import { startLocalReactor } from '../support/reactor';

const SEED = 4242;
const RECORDS = 1000;
const HUGE = 200_000;
const SECRET = (id: string) => `arn:aws:secretsmanager:us-east-2:123456789012:secret:${id}`;

const samples = ['ssm', 'secretsmanager', 'malformed'].flatMap((dir) =>
  readdirSync(`events/${dir}`).map((file) => sampleEvent(`${dir}/${file}`) as unknown),
);

// A fleet that the sample events reach: every reference form, every policy.
const queue = aQueue({ jobQueueName: 'q', jobQueueArn: 'arn:aws:batch:us-east-2:123456789012:job-queue/q' });
const definitions = [
  aDefinition(['/prod/db/password', SECRET('prod/db-AbCdEf')], { jobDefinitionName: 'db' }),
  aDefinition(['/prod/api/key:prod', 'MyExampleParameter', `${SECRET('prod/api-token-Gh12Ij')}::BLUE:`], {
    jobDefinitionName: 'api',
  }),
  aDefinition(['/aws/reference/secretsmanager/prod/legacy', 'prod/batch/session-token'], {
    jobDefinitionName: 'legacy',
  }),
];
const policies = [undefined, 'resubmit', 'flag', 'resubmit-on-failure', 'ignore'];
const fleet: FleetSnapshot = {
  region: 'us-east-2',
  account: '123456789012',
  jobQueues: [queue],
  jobDefinitions: definitions,
  jobs: definitions.flatMap((definition) =>
    policies.map((policy, i) =>
      aJob({
        jobId: `${definition.jobDefinitionName}-${policy ?? 'default'}`,
        jobName: `${definition.jobDefinitionName}-${i}`,
        jobQueue: queue.jobQueueArn,
        jobDefinition: definition.jobDefinitionArn,
        startedAt: T0 - 60 * MINUTE,
        tags: policy ? { [POLICY_TAG]: policy } : {},
      }),
    ),
  ),
};

type Json = unknown;
type Path = readonly (string | number)[];

/** Every path into a JSON value (objects and arrays), the root excluded. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...pathsOf(child, path)];
  });
}

/** A copy of `value` with the node at `path` replaced (`undefined` drops it). */
function withAt(value: Json, path: Path, replacement: Json | undefined): Json {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    const next = withAt(copy[head as number], rest, replacement);
    if (next === undefined) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  const copy: Record<string, Json> = { ...(value as Record<string, Json>) };
  const next = withAt(copy[head], rest, replacement);
  if (next === undefined) delete copy[head];
  else copy[head] = next;
  return copy;
}

const huge = fc.constantFrom('x', '/', 'é', '\n', '\u0000', '🔑').map((c) => c.repeat(HUGE / c.length));
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
  fc.string({ maxLength: 40 }),
);
const tricky = fc.constantFrom(
  'Delete',
  'Update',
  'AWSCURRENT',
  'AWSPREVIOUS',
  '2026-11-28T12:00:00Z',
  '2026-13-45T99:99:99Z',
  'arn:aws:ssm:us-east-2:123456789012:parameter/prod/db/password',
  'arn:aws:secretsmanager:us-east-2:123456789012:secret:prod/db-AbCdEf',
  'arn:aws:secretsmanager:us-east-2:123456789012:secret:',
  '/prod/db/password',
  '',
  ' ',
  '__proto__',
  'constructor',
);

/** One SQS body: a sample as is, a mutated sample, or something that is not an event at all. */
const aBody: fc.Arbitrary<string> = fc.tuple(fc.nat({ max: samples.length - 1 }), fc.nat()).chain(([index, pick]) => {
  const sample = samples[index];
  const paths = pathsOf(sample);
  const path = paths[pick % Math.max(1, paths.length)] ?? [];
  const mutated = (replacement: fc.Arbitrary<Json | undefined>) =>
    replacement.map((value) => JSON.stringify(withAt(sample, path, value)));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(JSON.stringify(sample)) },
    { weight: 3, arbitrary: mutated(fc.constant(undefined)) },
    { weight: 3, arbitrary: mutated(wrongType) },
    { weight: 2, arbitrary: mutated(tricky) },
    { weight: 1, arbitrary: mutated(huge) },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.nat().map((cut) => JSON.stringify(sample).slice(0, cut % 80)) },
    { weight: 1, arbitrary: fc.constant(`${JSON.stringify(sample)}\n{}`) },
  );
});

/**
 * Consecutive batches of 1 to the shipped maximum (100) records, as SQS hands them over: small and full batches
 * alike, in about 20 invocations. Each invocation costs a discovery (Batch calls at the reactor's 50-TPS bucket at
 * most); batches of 10 made it 100 invocations and 20 s of waiting for tokens, which a loaded machine stretched past
 * the time limit.
 */
function toVaryingBatches<T>(items: readonly T[]): T[][] {
  const sizes = fc.sample(fc.integer({ min: 1, max: SHIPPED.changeBatchSize }), { seed: SEED, numRuns: items.length });
  const batches: T[][] = [];
  for (let start = 0, i = 0; start < items.length; start += sizes[i++])
    batches.push(items.slice(start, start + sizes[i]));
  return batches;
}

/** What the unmutated samples, each on its own, make the decision do to the fleet. */
function toSampleActions(options: PlanOptions): { reached: Set<string>; resubmitted: Set<string> } {
  const view = { home: HOME, queues: fleet.jobQueues, definitions: fleet.jobDefinitions, jobs: fleet.jobs };
  const reached = new Set<string>();
  const resubmitted = new Set<string>();
  for (const sample of samples) {
    const parsed = parseChange(sample);
    if (!parsed.ok) continue;
    const decided = plan(parsed.changes, view, options);
    for (const reaction of decided.reactions) {
      for (const jobId of [reaction.jobId, ...(reaction.childJobIds ?? [])]) reached.add(jobId);
      if (reaction.action === 'resubmit') resubmitted.add(reaction.jobId);
    }
  }
  return { reached, resubmitted };
}

function isGood(body: string): boolean {
  try {
    return parseChange(JSON.parse(body)).ok;
  } catch {
    return false;
  }
}

describe('processChangeBatch on fuzzed and mutated events', () => {
  it('rejects every bad record with a reason and never retries it, and processes every good one', async () => {
    const bodies = fc.sample(aBody, { seed: SEED, numRuns: RECORDS });
    const records: SQSRecord[] = bodies.map((body, i) => toSqsRecord(`msg-${i}`, body));
    const good = new Set(records.filter((r) => isGood(r.body)).map((r) => r.messageId));
    const local = await startLocalReactor(fleet, { env: { REACTOR_MAX_RESUBMITS_PER_CHANGE: '1000' } });
    const reports: RunReport[] = [];
    const spy = jest.spyOn(observability, 'recordRun').mockImplementation((report) => {
      reports.push(report);
    });
    try {
      const { sandbox } = local;
      const failures: string[] = [];
      const batches = toVaryingBatches(records);
      expect(Math.min(...batches.map((b) => b.length))).toBeLessThan(10);
      expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(80);
      for (const batch of batches) {
        const response = await processChangeBatch(batch, local.reactor);
        failures.push(...response.batchItemFailures.map((f) => f.itemIdentifier));
      }

      expect(failures).toEqual([]);
      expect(reports).toHaveLength(batches.length);
      expect(batches.flat()).toEqual(records);
      const rejected = new Map(reports.flatMap((r) => r.rejected.map((x) => [x.source, x.reason])));
      const accepted = new Set(reports.flatMap((r) => r.changes.map((c) => c.source)));
      for (const { messageId } of records) {
        if (good.has(messageId)) {
          expect(accepted.has(messageId)).toBe(true);
        } else {
          expect(rejected.get(messageId)).toMatch(/^\S.{4,}/);
        }
      }
      expect(accepted.size + rejected.size).toBe(RECORDS);
      // Reasons are one bounded line: a 200,000-character field never reaches a log line whole.
      expect(Math.max(...[...rejected.values()].map((reason) => reason.length))).toBeLessThan(300);
      expect([...rejected.values()].every((reason) => !reason.includes('\n'))).toBe(true);

      const outcomes = reports.flatMap((r) => r.outcomes);
      expect(outcomes.filter((o) => o.status !== 'applied' && o.status !== 'duplicate')).toEqual([]);
      const applied = outcomes.filter((o) => o.status === 'applied');
      for (const { reaction, replacementJobId } of applied) {
        if (reaction.action === 'resubmit') {
          expect(sandbox.job(reaction.jobId)).toMatchObject({
            status: 'FAILED',
            statusReason: expect.stringContaining(`replaced by ${replacementJobId}`),
          });
        } else if (!isChildJob(reaction.jobId)) {
          expect(sandbox.job(reaction.jobId)?.tags?.['rotation-reactor:stale-since']).toBeDefined();
        }
      }
      // The oracle: a mutated event never causes an action no real event would. Every job acted on is one a sample
      // event reaches, and every resubmission is one a sample event asks for (resubmissions terminate jobs).
      const allowed = toSampleActions(local.reactor.options.plan);
      for (const { reaction } of applied) {
        const jobs = [reaction.jobId, ...(reaction.childJobIds ?? [])];
        for (const jobId of jobs)
          expect({ jobId, reached: allowed.reached.has(jobId) }).toEqual({ jobId, reached: true });
        if (reaction.action === 'resubmit') {
          expect({ jobId: reaction.jobId, resubmittable: allowed.resubmitted.has(reaction.jobId) }).toEqual({
            jobId: reaction.jobId,
            resubmittable: true,
          });
        }
      }

      const entries = await local.reactor.deps.ledger.listSince(0);
      expect(entries.filter((e) => e.state !== 'done')).toEqual([]);
      expect(entries).toHaveLength(applied.length);

      const counts = sandbox.countsByOperation();
      const { attempts, retries } = toRequestFigures(sandbox);
      printFigure('1,000 fuzzed and mutated events', {
        records: RECORDS,
        batches: batches.length,
        good: good.size,
        rejected: rejected.size,
        retried: failures.length,
        attempts,
        retries,
        actions: applied.length,
        submits: counts.SubmitJob ?? 0,
        tags: counts.TagResource ?? 0,
        absorbed: outcomes.filter((o) => o.status === 'duplicate').length,
        duplicates: 0,
      });
    } finally {
      spy.mockRestore();
      await local.stop();
    }
  }, 120_000);
});
