import { decideReactions, toCopyTagCount } from '../../../lib/core/decide';
import type { FleetView, PlanOptions } from '../../../lib/core/decision';
import { findStaleJobs } from '../../../lib/core/find-stale';
import type { BatchJob } from '../../../lib/core/fleet';
import { type ChangeKey, POLICY_TAG, REPLACES_TAG, toChangeKey, toLineageTag } from '../../../lib/core/keys';
import type { Budget } from '../../../lib/core/ports';
import { aChange, aDefinition, aFleet, aJob, aQueue, MINUTE, ssm, T0 } from '../../support/builders';

const options: PlanOptions = { defaultPolicy: 'flag', staleMarginMs: 60_000, maxResubmitsPerChange: 25 };
const resubmit = { [POLICY_TAG]: 'resubmit' };
const CHANGE = aChange();
const KEY = toChangeKey(CHANGE);

/** Stage 1 on the listed jobs, stage 2 with the given details (default: the listed jobs themselves). */
function decide(
  fleet: FleetView,
  extra: { details?: BatchJob[]; budgets?: Map<ChangeKey, Budget>; options?: Partial<PlanOptions> } = {},
  changes = [CHANGE],
) {
  const merged = { ...options, ...extra.options };
  const search = findStaleJobs(changes, fleet, merged);
  const details = new Map((extra.details ?? fleet.jobs).map((job) => [job.jobId, job]));
  return decideReactions(search, { fleet, details, budgets: extra.budgets }, merged);
}

const outcome = (plan: ReturnType<typeof decide>) => [
  ...plan.reactions.map((r) => `${r.jobId}:${r.action}:${r.reason}`),
  ...plan.skipped.map((s) => `${s.jobId}:skip:${s.reason}`),
];

describe('decideReactions', () => {
  describe('lineage', () => {
    // The shipped timings: a change at T0, its replacement submitted 20 s later, started within the 60 s margin.
    const replacement = (answers: number | undefined) =>
      aJob({
        jobId: 'copy',
        startedAt: T0 + 30_000,
        createdAt: T0 + 20_000,
        tags: { ...resubmit, [REPLACES_TAG]: toLineageTag({ replaces: 'original', answers }) },
      });

    it('never finds the reactor replacement stale for the change it answers', () => {
      expect(outcome(decide(aFleet({ jobs: [replacement(T0)] })))).toEqual(['copy:skip:is-replacement']);
    });

    it('never finds it stale for an older change, of any resource', () => {
      const fleet = aFleet({
        definitions: [aDefinition(['/prod/db/password', '/prod/api/key'])],
        jobs: [replacement(T0)],
      });
      const older = aChange({ changedAt: T0 - 10_000, resource: ssm('/prod/api/key') });
      expect(outcome(decide(fleet, {}, [older]))).toEqual(['copy:skip:is-replacement']);
    });

    it('still finds it stale for a newer change', () => {
      const newer = aChange({ changedAt: T0 + 25_000 });
      expect(outcome(decide(aFleet({ jobs: [replacement(T0)] }), {}, [newer]))).toEqual(['copy:resubmit:stale']);
    });

    it('takes the creation time of a replacement whose lineage carries no time', () => {
      expect(outcome(decide(aFleet({ jobs: [replacement(undefined)] })))).toEqual(['copy:skip:is-replacement']);
    });

    it('reads the lineage of an array child from its parent', () => {
      const parent = aJob({
        jobId: 'copy',
        status: 'PENDING',
        tags: { ...resubmit, [REPLACES_TAG]: toLineageTag({ replaces: 'original', answers: T0 }) },
      });
      const child = aJob({ jobId: 'copy:3', startedAt: T0 + 30_000, tags: resubmit });
      expect(outcome(decide(aFleet({ jobs: [child] }), { details: [child, parent] }))).toEqual([
        'copy:3:skip:is-replacement',
      ]);
    });

    it('is judged on the details: the summary of a listed job carries no tags', () => {
      const listed = aJob({ jobId: 'copy', startedAt: T0 + 30_000 });
      expect(outcome(decide(aFleet({ jobs: [listed] }), { details: [replacement(T0)] }))).toEqual([
        'copy:skip:is-replacement',
      ]);
    });
  });

  it('skips a job that finished since it was listed', () => {
    const listed = aJob({ jobId: 'j', tags: resubmit });
    const detail = { ...listed, status: 'SUCCEEDED', stoppedAt: T0 };
    expect(outcome(decide(aFleet({ jobs: [listed] }), { details: [detail] }))).toEqual(['j:skip:finished']);
  });

  describe('what may be submitted', () => {
    const fleet = aFleet({
      queues: [aQueue({ tags: { 'rotation-reactor:resubmittable': 'yes' } })],
      jobs: [aJob({ jobId: 'j', tags: resubmit })],
    });
    it.each([
      ['no scope (the caller IAM decides)', undefined, 'j:resubmit:stale'],
      ['nothing named', { queues: [], definitions: [] }, 'j:flag:not-permitted'],
      ['the queue and the definition revision named', { queues: ['ma*'], definitions: ['etl:*'] }, 'j:resubmit:stale'],
      ['the queue named, not the definition', { queues: ['main'], definitions: ['other:*'] }, 'j:flag:not-permitted'],
      [
        'the queue tagged, the definition named',
        { queues: [], definitions: ['etl:1'], tag: { key: 'rotation-reactor:resubmittable', value: 'yes' } },
        'j:resubmit:stale',
      ],
      [
        'the queue tagged, the definition neither',
        { queues: [], definitions: [], tag: { key: 'rotation-reactor:resubmittable', value: 'yes' } },
        'j:flag:not-permitted',
      ],
    ])('with %s', (_name, submitScope, expected) => {
      expect(outcome(decide(fleet, { options: { submitScope } }))).toEqual([expected]);
    });
  });

  describe('tags of the copy', () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    it.each([
      ['49 tags: its copy carries 50', { ...tags(48), ...resubmit }, undefined, 'j:resubmit:stale'],
      ['50 tags: its copy would carry 51', { ...tags(49), ...resubmit }, undefined, 'j:flag:too-many-tags'],
      [
        'aws: and flag tags, which are not copied',
        { ...tags(48), ...resubmit, 'aws:x': 'y' },
        undefined,
        'j:resubmit:stale',
      ],
      ['propagated definition tags over 50 together', { ...tags(40), ...resubmit }, tags(60), 'j:flag:too-many-tags'],
    ])('%s', (_name, jobTags, definitionTags, expected) => {
      const propagate = definitionTags !== undefined;
      const fleet = aFleet({
        definitions: [aDefinition(undefined, { tags: definitionTags })],
        jobs: [aJob({ jobId: 'j', tags: jobTags, propagateTags: propagate })],
      });
      expect(outcome(decide(fleet))).toEqual([expected]);
    });

    it('counts the copy tags', () => {
      expect(toCopyTagCount(aJob({ tags: { a: '1', [REPLACES_TAG]: 'x', 'aws:y': 'z' } }))).toBe(2);
    });
  });

  describe('the blast-radius cap, per change, across runs', () => {
    const jobs = [1, 2, 3].map((m) => aJob({ jobId: `j${m}`, startedAt: T0 - m * MINUTE, tags: resubmit }));

    it('counts what earlier runs reserved', () => {
      const budgets = new Map([[KEY, { used: 2, jobs: new Set(['earlier-1', 'earlier-2']) }]]);
      expect(outcome(decide(aFleet({ jobs }), { budgets, options: { maxResubmitsPerChange: 3 } }))).toEqual([
        'j3:resubmit:stale',
        'j2:flag:blast-radius',
        'j1:flag:blast-radius',
      ]);
    });

    it('keeps the place of a job an earlier attempt reserved for (a retry never counts twice)', () => {
      const budgets = new Map([[KEY, { used: 3, jobs: new Set(['j1', 'x', 'y']) }]]);
      const plan = decide(aFleet({ jobs }), { budgets, options: { maxResubmitsPerChange: 3 } });
      expect(outcome(plan)).toEqual(['j3:flag:blast-radius', 'j2:flag:blast-radius', 'j1:resubmit:stale']);
      expect(plan.reactions[2].budget).toEqual({ change: KEY, weight: 1 });
    });

    it('weighs an array by its size: its children restart with it', () => {
      const parent = aJob({ jobId: 'p', status: 'PENDING', arrayProperties: { size: 10 }, tags: resubmit });
      const children = [0, 1].map((i) => aJob({ jobId: `p:${i}`, tags: resubmit }));
      const fleet = aFleet({ jobs: children });
      expect(outcome(decide(fleet, { details: [...children, parent], options: { maxResubmitsPerChange: 9 } }))).toEqual(
        ['p:flag:blast-radius'],
      );
      const within = decide(fleet, { details: [...children, parent], options: { maxResubmitsPerChange: 10 } });
      expect(within.reactions).toEqual([
        expect.objectContaining({ jobId: 'p', action: 'resubmit', budget: { change: KEY, weight: 10 } }),
      ]);
    });

    it('gives each change its own budget (a new rotation of the same secret is a new change)', () => {
      const later = aChange({ changedAt: T0 + 5 * MINUTE });
      const late = aJob({ jobId: 'late', startedAt: T0 + 2 * MINUTE, tags: resubmit });
      const plan = decide(aFleet({ jobs: [...jobs, late] }), { options: { maxResubmitsPerChange: 1 } }, [
        CHANGE,
        later,
      ]);
      // Coalescing keeps the newest of one resource and effect: one change, one budget here.
      expect(plan.changes).toHaveLength(1);
      expect(plan.reactions.filter((r) => r.action === 'resubmit')).toHaveLength(1);
    });
  });

  describe('array children and multi-node nodes', () => {
    it('resubmits an array on failure as its parent, flagging the parent (it can carry tags)', () => {
      const children = [0, 1].map((i) => aJob({ jobId: `p:${i}`, tags: { [POLICY_TAG]: 'resubmit-on-failure' } }));
      expect(decide(aFleet({ jobs: children })).reactions).toEqual([
        expect.objectContaining({ jobId: 'p', action: 'resubmit-on-failure', childJobIds: ['p:0', 'p:1'] }),
      ]);
    });

    it('folds the nodes of a multi-node job into its main job, which appears once', () => {
      const definition = aDefinition(undefined, {
        type: 'multinode',
        containerProperties: undefined,
        nodeProperties: {
          numNodes: 3,
          mainNode: 0,
          nodeRangeProperties: [
            { targetNodes: '0', container: { image: 'main' } },
            { targetNodes: '1:', container: { secrets: [{ name: 'DB', valueFrom: '/prod/db/password' }] } },
          ],
        },
      });
      const main = aJob({ jobId: 'm', startedAt: T0 - 2 * MINUTE, tags: resubmit });
      const nodes = [0, 1, 2].map((i) => aJob({ jobId: `m#${i}`, tags: resubmit, nodeDetails: { nodeIndex: i } }));
      const plan = decide(aFleet({ definitions: [definition], jobs: [main, ...nodes] }));
      expect(plan.reactions).toEqual([
        expect.objectContaining({ jobId: 'm', action: 'resubmit', childJobIds: ['m#1', 'm#2'] }),
      ]);
      // Node 0 runs the main range, which reads nothing that changed.
      expect(plan.skipped).toEqual([]);
      expect(outcome(decide(aFleet({ definitions: [definition], jobs: [nodes[0]] })))).toEqual([]);
    });
  });

  describe('on a job failure', () => {
    const failed = aJob({ jobId: 'j', status: 'FAILED', stoppedAt: T0 + MINUTE });
    it.each([
      ['resubmit-on-failure', 'j:resubmit:failed-after-flag'],
      ['resubmit', 'j:resubmit:failed-after-flag'],
      ['flag', 'j:skip:policy-ignore'],
      ['ignore', 'j:skip:policy-ignore'],
    ])('resubmits a failed job whose policy is %s only when it asks for a copy', (policy, expected) => {
      const job = { ...failed, tags: { [POLICY_TAG]: policy } };
      const search = findStaleJobs([CHANGE], aFleet({ jobs: [{ ...job, status: 'RUNNING' }] }), options);
      const plan = decideReactions(
        search,
        { fleet: aFleet(), details: new Map([[job.jobId, job]]) },
        { ...options, trigger: 'job-failure' },
      );
      expect(outcome(plan)).toEqual([expected]);
    });
  });
});
