/**
 * The decision: changes × fleet → one reaction per stale job (flag | resubmit | resubmit-on-failure) and a skip
 * with a reason for every other job the changes reach. Pure: no I/O, same input → same output.
 */
import type { Change } from './change';
import { coalesceChanges, toChangeKey, toEffectKey } from './coalesce';
import { type BatchJob, type BatchJobDefinition, type BatchJobQueue, isChildJob, toParentJobId } from './fleet';
import { type LocatedReference, toDefinitionReferences, toJobReferences } from './locations';
import { createReferenceIndex, type Hit } from './match';
import { type Policy, type PolicySource, resolvePolicy } from './policy';
import { type Home, toResourceKey } from './reference';
import { toFreshness } from './staleness';

/** What the reactor does to a stale job. */
export type Action = 'flag' | 'resubmit' | 'resubmit-on-failure';

/**
 * Why a job got its action: `stale`; `deleted` (a deletion never resubmits: the copy could not start);
 * `definition-inactive` (Batch refuses SubmitJob on a deregistered revision, and another revision would not be a
 * faithful copy); `blast-radius` (over the per-run cap).
 */
export type ReactionReason = 'stale' | 'deleted' | 'definition-inactive' | 'blast-radius';

/** Why a job the changes reach gets no action. */
export type SkipReason =
  | 'started-after-change'
  | 'not-started'
  | 'finished'
  | 'pinned'
  | 'policy-ignore'
  | 'definition-unknown';

/** A reference that put a job in the plan. */
export interface ReactionReference {
  readonly valueFrom: string;
  readonly location: string;
}

/** The change side of a reaction, enough for ledger keys, events and reports. */
export interface ChangeSummary {
  readonly key: string;
  readonly kind: string;
  readonly resource: string;
  readonly effect: string;
  readonly changedAt: number;
}

/** One stale job and what to do about it. */
export interface Reaction {
  readonly jobId: string;
  readonly jobArn?: string;
  readonly jobName: string;
  readonly jobQueue: string;
  readonly jobDefinition: string;
  readonly status: string;
  readonly startedAt?: number;
  readonly action: Action;
  readonly reason: ReactionReason;
  readonly policy: Policy;
  readonly policySource: PolicySource;
  /** Earliest change time that made the job stale. */
  readonly staleSince: number;
  readonly changes: readonly ChangeSummary[];
  readonly references: readonly ReactionReference[];
  /** For an array parent resubmitted because of stale children: those children. */
  readonly childJobIds?: readonly string[];
}

/** A job the changes reach that gets no action, and why. */
export interface Skip {
  readonly jobId: string;
  readonly jobName: string;
  readonly reason: SkipReason;
  readonly changes: readonly string[];
}

/** A reference the reactor could not parse; the job still runs, so it is reported, not dropped. */
export interface InvalidReferenceReport {
  readonly owner: string;
  readonly location: string;
  readonly valueFrom: string;
  readonly reason: string;
}

/** Per-change counts for `Change Processed` events. */
export interface ChangeOutcome {
  readonly change: ChangeSummary;
  readonly referencingJobs: number;
  readonly staleJobs: number;
}

/** The fleet as plan needs it. */
export interface FleetView {
  readonly home: Home;
  readonly queues: readonly BatchJobQueue[];
  readonly definitions: readonly BatchJobDefinition[];
  readonly jobs: readonly BatchJob[];
}

/** Knobs of the decision. */
export interface PlanOptions {
  readonly defaultPolicy: Policy;
  /** A RUNNING job that started up to this long after a change still counts as stale. */
  readonly staleMarginMs: number;
  /** Resubmissions beyond this many in one plan become flags with reason `blast-radius`. */
  readonly maxResubmits: number;
}

/** The plan: reactions, skips, per-change counts, and what could not be read. */
export interface Plan {
  readonly changes: readonly ChangeSummary[];
  readonly reactions: readonly Reaction[];
  readonly skipped: readonly Skip[];
  readonly outcomes: readonly ChangeOutcome[];
  readonly invalidReferences: readonly InvalidReferenceReport[];
  readonly warnings: readonly string[];
}

/** Default knobs: flag, a 60 s margin, at most 25 resubmissions per run. */
export const DEFAULT_PLAN_OPTIONS: PlanOptions = { defaultPolicy: 'flag', staleMarginMs: 60_000, maxResubmits: 25 };

/** Summarises a change for reactions, events and the ledger. */
export function toChangeSummary(change: Change): ChangeSummary {
  return {
    key: toChangeKey(change),
    kind: change.kind,
    resource: toResourceKey(change.resource),
    effect: toEffectKey(change.effect),
    changedAt: change.changedAt,
  };
}

interface JobHits {
  readonly job: BatchJob;
  readonly hits: { change: Change; hit: Hit<string> }[];
}

function indexBy<T>(items: readonly T[], ...keys: ((item: T) => string | undefined)[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) for (const key of keys) map.set(key(item) ?? '', item);
  return map;
}

/** Decides what happens to every job the changes reach. Each stale job appears once, however many changes reach it. */
export function plan(changes: readonly Change[], fleet: FleetView, options: PlanOptions = DEFAULT_PLAN_OPTIONS): Plan {
  const effective = coalesceChanges(changes);
  const definitions = indexBy(
    fleet.definitions,
    (d) => d.jobDefinitionArn,
    (d) => `${d.jobDefinitionName}:${d.revision}`,
  );
  const queues = indexBy(
    fleet.queues,
    (q) => q.jobQueueArn,
    (q) => q.jobQueueName,
  );

  // One reference list per owner: a definition revision (shared by its jobs) or, without one, the job's own spec.
  const ownerOf = new Map<string, string>();
  const owners = new Map<string, readonly LocatedReference[]>();
  const skipped: Skip[] = [];
  for (const job of fleet.jobs) {
    const definition = definitions.get(job.jobDefinition);
    const owner = definition ? definition.jobDefinitionArn : `job:${job.jobId}`;
    if (!owners.has(owner)) {
      if (definition) owners.set(owner, toDefinitionReferences(definition, fleet.home));
      else if (job.container || job.nodeProperties || job.ecsProperties)
        owners.set(owner, toJobReferences(job, fleet.home));
      else {
        skipped.push({ jobId: job.jobId, jobName: job.jobName, reason: 'definition-unknown', changes: [] });
        continue;
      }
    }
    ownerOf.set(job.jobId, owner);
  }

  const invalidReferences: InvalidReferenceReport[] = [];
  for (const [owner, located] of owners) {
    for (const { location, reference } of located) {
      if (reference.kind === 'invalid') {
        invalidReferences.push({ owner, location, valueFrom: reference.valueFrom, reason: reference.reason });
      }
    }
  }

  const index = createReferenceIndex(owners);
  const hitsByOwner = new Map<string, { change: Change; hit: Hit<string> }[]>();
  for (const change of effective) {
    for (const hit of index.hitsOf(change)) {
      const list = hitsByOwner.get(hit.owner) ?? [];
      list.push({ change, hit });
      hitsByOwner.set(hit.owner, list);
    }
  }

  const reached: JobHits[] = [];
  for (const job of fleet.jobs) {
    const owner = ownerOf.get(job.jobId);
    const hits = owner === undefined ? undefined : hitsByOwner.get(owner);
    if (hits) reached.push({ job, hits });
  }

  // Summaries (and their keys) once per change, not once per job × change: this loop is the hot path.
  const summaries = new Map(effective.map((change) => [change, toChangeSummary(change)]));
  const summaryOf = (change: Change) => summaries.get(change)!;
  const referencing = new Map<Change, number>();
  const stale = new Map<Change, number>();
  const bump = (counter: Map<Change, number>, change: Change) => counter.set(change, (counter.get(change) ?? 0) + 1);
  const warnings = new Set<string>();
  const candidates: Reaction[] = [];

  // Oldest start first: when the blast-radius cap bites, the longest-stale jobs are the ones resubmitted.
  reached.sort((a, b) => (a.job.startedAt ?? 0) - (b.job.startedAt ?? 0) || a.job.jobId.localeCompare(b.job.jobId));
  for (const { job, hits } of reached) {
    const byChange = new Map<Change, Hit<string>[]>();
    for (const { change, hit } of hits) {
      const list = byChange.get(change);
      if (list) list.push(hit);
      else byChange.set(change, [hit]);
    }
    for (const change of byChange.keys()) bump(referencing, change);
    const changeKeys = [...byChange.keys()].map((change) => summaryOf(change).key);
    const skip = (reason: SkipReason) =>
      skipped.push({ jobId: job.jobId, jobName: job.jobName, reason, changes: changeKeys });

    const reading = [...byChange].filter(([, jobHits]) => jobHits.some((h) => h.reads));
    if (reading.length === 0) {
      skip('pinned');
      continue;
    }
    const freshness = reading.map(([change]) => toFreshness(job, change.changedAt, options.staleMarginMs));
    const staleChanges = reading.filter((_, i) => freshness[i] === 'stale');
    if (staleChanges.length === 0) {
      skip(
        freshness.includes('finished')
          ? 'finished'
          : freshness.includes('not-started')
            ? 'not-started'
            : 'started-after-change',
      );
      continue;
    }
    for (const [change] of staleChanges) bump(stale, change);

    const definition = definitions.get(job.jobDefinition);
    const queue = queues.get(job.jobQueue);
    const resolved = resolvePolicy(
      { job: job.tags, definition: definition?.tags, queue: queue?.tags },
      options.defaultPolicy,
    );
    for (const problem of resolved.invalid) warnings.add(`${job.jobId}: ${problem}`);
    if (resolved.policy === 'ignore') {
      skip('policy-ignore');
      continue;
    }
    const deleted = staleChanges.some(([change]) => change.effect.kind === 'deleted');
    const inactive = resolved.policy === 'resubmit' && definition?.status === 'INACTIVE';
    const action: Action = deleted || inactive ? 'flag' : resolved.policy;
    const references = new Map<string, ReactionReference>();
    for (const [, jobHits] of staleChanges) {
      for (const { located, reads } of jobHits) {
        if (reads)
          references.set(located.location, { valueFrom: located.reference.valueFrom, location: located.location });
      }
    }
    candidates.push({
      jobId: job.jobId,
      jobArn: job.jobArn,
      jobName: job.jobName,
      jobQueue: job.jobQueue,
      jobDefinition: job.jobDefinition,
      status: job.status,
      startedAt: job.startedAt,
      action,
      reason: deleted ? 'deleted' : inactive ? 'definition-inactive' : 'stale',
      policy: resolved.policy,
      policySource: resolved.source,
      staleSince: staleChanges.reduce((min, [change]) => Math.min(min, change.changedAt), Number.POSITIVE_INFINITY),
      changes: staleChanges.map(([change]) => summaryOf(change)),
      references: [...references.values()],
    });
  }

  const reactions = capResubmits(mergeChildResubmits(candidates), options.maxResubmits);
  // An array parent resubmitted for its children is itself PENDING: it appears once, as the reaction.
  const reacting = new Set(reactions.map((r) => r.jobId));
  return {
    changes: effective.map(summaryOf),
    reactions,
    skipped: skipped.filter((s) => !reacting.has(s.jobId)),
    outcomes: effective.map((change) => ({
      change: summaryOf(change),
      referencingJobs: referencing.get(change) ?? 0,
      staleJobs: stale.get(change) ?? 0,
    })),
    invalidReferences,
    warnings: [...warnings],
  };
}

/** A stale array child or multi-node node cannot be resubmitted alone: its parent is resubmitted once, for all of them. */
function mergeChildResubmits(candidates: readonly Reaction[]): Reaction[] {
  const merged: Reaction[] = [];
  const parents = new Map<string, Reaction>();
  for (const reaction of candidates) {
    if (reaction.action !== 'resubmit' || !isChildJob(reaction.jobId)) {
      merged.push(reaction);
      continue;
    }
    const parentId = toParentJobId(reaction.jobId);
    const existing = parents.get(parentId);
    if (!existing) {
      const parent: Reaction = {
        ...reaction,
        jobId: parentId,
        jobArn: reaction.jobArn?.replace(/[:#][^/]*$/, ''),
        childJobIds: [reaction.jobId],
      };
      parents.set(parentId, parent);
      merged.push(parent);
      continue;
    }
    const combined: Reaction = {
      ...existing,
      staleSince: Math.min(existing.staleSince, reaction.staleSince),
      childJobIds: [...(existing.childJobIds ?? []), reaction.jobId],
    };
    parents.set(parentId, combined);
    merged[merged.indexOf(existing)] = combined;
  }
  return merged;
}

function capResubmits(reactions: readonly Reaction[], maxResubmits: number): Reaction[] {
  let resubmits = 0;
  return reactions.map((reaction) => {
    if (reaction.action !== 'resubmit') return reaction;
    resubmits++;
    return resubmits <= maxResubmits ? reaction : { ...reaction, action: 'flag', reason: 'blast-radius' };
  });
}
