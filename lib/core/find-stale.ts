/**
 * Stage 1 of the decision: changes × the listed fleet → the jobs holding a stale value (candidates), a skip with a
 * reason for every other job the changes reach, and the job ids whose details stage 2 needs. Pure; it needs no job
 * details (ListJobs summaries carry no tags), so it runs before DescribeJobs.
 */
import type { Change } from './change';
import { coalesceChanges } from './coalesce';
import type { ChangeSummary, FleetView, InvalidReferenceReport, ReactionReference, Skip, SkipReason } from './decision';
import { type BatchJob, toNodeIndex, toParentJobId } from './fleet';
import { type ChangeKey, toChangeKey, toEffectKey } from './keys';
import { type LocatedReference, toDefinitionReferences, toJobReferences, toNodeReferences } from './locations';
import { createReferenceIndex, type Hit } from './match';
import { toResourceKey } from './reference';
import { type Freshness, toFreshness } from './staleness';

/** A job that holds a stale value, before policy: the changes it is stale for and the references that read them. */
export interface StaleCandidate {
  /** Position in the decision's order (oldest start first): skips and reactions keep it. */
  readonly rank: number;
  /** The job as listed (a summary without tags, unless the fleet carries details). */
  readonly job: BatchJob;
  /** The changes the job is stale for, each reaching a reference that reads what it moved. */
  readonly changes: readonly ChangeSummary[];
  readonly references: readonly ReactionReference[];
  /** Every change that reaches the job, stale or not (what a skip of the job lists). */
  readonly reaching: readonly ChangeKey[];
}

/** A skip and its position in the decision's order. */
export interface RankedSkip {
  readonly rank: number;
  readonly skip: Skip;
}

/** What stage 1 found. */
export interface StaleSearch {
  /** The coalesced changes (one per resource and effect, the newest). */
  readonly changes: readonly ChangeSummary[];
  readonly candidates: readonly StaleCandidate[];
  readonly skipped: readonly RankedSkip[];
  /** How many jobs each change reaches (stale or not). */
  readonly referencing: ReadonlyMap<ChangeKey, number>;
  readonly invalidReferences: readonly InvalidReferenceReport[];
  /** The candidates and their array parents / multi-node main jobs: the only jobs worth a DescribeJobs. */
  readonly toDescribe: readonly string[];
}

/** Knobs of stage 1. */
export interface FindStaleOptions {
  /** A RUNNING job that started up to this long after a change still counts as stale. */
  readonly staleMarginMs: number;
}

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

/** Why a job reached only by changes it is not stale for gets nothing (finished wins, then not started). */
export function toFreshnessSkip(freshness: readonly Freshness[]): SkipReason {
  if (freshness.includes('finished')) return 'finished';
  if (freshness.includes('not-started')) return 'not-started';
  return 'started-after-change';
}

/** Finds the jobs the changes make stale. Cost: one hash lookup per change, one pass over the jobs. */
export function findStaleJobs(changes: readonly Change[], fleet: FleetView, options: FindStaleOptions): StaleSearch {
  const effective = coalesceChanges(changes);
  const definitions = new Map<string, FleetView['definitions'][number]>();
  for (const d of fleet.definitions) {
    definitions.set(d.jobDefinitionArn, d);
    definitions.set(`${d.jobDefinitionName}:${d.revision}`, d);
  }

  // One reference list per owner: a definition revision (shared by its jobs) or, without one, the job's own spec.
  const ownerOf = new Map<string, string>();
  const owners = new Map<string, readonly LocatedReference[]>();
  const skipped: RankedSkip[] = [];
  for (const job of fleet.jobs) {
    const definition = definitions.get(job.jobDefinition);
    // A node of a multi-node job reads only the node ranges that include its index.
    const node = definition?.nodeProperties ? toNodeIndex(job) : undefined;
    const owner = definition
      ? node === undefined
        ? definition.jobDefinitionArn
        : `${definition.jobDefinitionArn}#node${node}`
      : `job:${job.jobId}`;
    if (!owners.has(owner)) {
      if (definition && node !== undefined) owners.set(owner, toNodeReferences(definition, node, fleet.home));
      else if (definition) owners.set(owner, toDefinitionReferences(definition, fleet.home));
      else if (job.container || job.nodeProperties || job.ecsProperties)
        owners.set(owner, toJobReferences(job, fleet.home));
      else {
        skipped.push({
          rank: -1,
          skip: { jobId: job.jobId, jobName: job.jobName, reason: 'definition-unknown', changes: [] },
        });
        continue;
      }
    }
    ownerOf.set(job.jobId, owner);
  }

  const invalidReferences: InvalidReferenceReport[] = [];
  const reported = new Set<string>();
  for (const [key, located] of owners) {
    // Nodes of a multi-node job share their definition's references: each is reported once, for the definition.
    const owner = key.replace(/#node\d+$/, '');
    for (const { location, reference } of located) {
      if (reference.kind !== 'invalid' || reported.has(`${owner} ${location}`)) continue;
      reported.add(`${owner} ${location}`);
      invalidReferences.push({ owner, location, valueFrom: reference.valueFrom, reason: reference.reason });
    }
  }

  const index = createReferenceIndex(owners);
  const hitsByOwner = new Map<string, { change: Change; hit: Hit<string> }[]>();
  for (const change of effective) {
    for (const hit of index.hitsOf(change)) {
      const list = hitsByOwner.get(hit.owner);
      if (list) list.push({ change, hit });
      else hitsByOwner.set(hit.owner, [{ change, hit }]);
    }
  }

  const reached: { job: BatchJob; hits: { change: Change; hit: Hit<string> }[] }[] = [];
  for (const job of fleet.jobs) {
    const owner = ownerOf.get(job.jobId);
    const hits = owner === undefined ? undefined : hitsByOwner.get(owner);
    if (hits) reached.push({ job, hits });
  }

  // Summaries (and their keys) once per change, not once per job × change: this loop is the hot path.
  const summaries = new Map(effective.map((change) => [change, toChangeSummary(change)]));
  const referencing = new Map<ChangeKey, number>();
  const candidates: StaleCandidate[] = [];
  const toDescribe = new Set<string>();

  // Oldest start first: when the blast-radius cap bites, the longest-stale jobs are the ones resubmitted.
  reached.sort((a, b) => (a.job.startedAt ?? 0) - (b.job.startedAt ?? 0) || a.job.jobId.localeCompare(b.job.jobId));
  for (const [rank, { job, hits }] of reached.entries()) {
    const byChange = new Map<Change, Hit<string>[]>();
    for (const { change, hit } of hits) {
      const list = byChange.get(change);
      if (list) list.push(hit);
      else byChange.set(change, [hit]);
    }
    const reaching = [...byChange.keys()].map((change) => summaries.get(change)!.key);
    for (const key of reaching) referencing.set(key, (referencing.get(key) ?? 0) + 1);
    const skip = (reason: SkipReason) =>
      skipped.push({ rank, skip: { jobId: job.jobId, jobName: job.jobName, reason, changes: reaching } });

    const reading = [...byChange].filter(([, jobHits]) => jobHits.some((h) => h.reads));
    if (reading.length === 0) {
      skip('pinned');
      continue;
    }
    const freshness = reading.map(([change]) => toFreshness(job, change.changedAt, options.staleMarginMs));
    const stale = reading.filter((_, i) => freshness[i] === 'stale');
    if (stale.length === 0) {
      skip(toFreshnessSkip(freshness));
      continue;
    }
    const references = new Map<string, ReactionReference>();
    for (const [, jobHits] of stale) {
      for (const { located, reads, by } of jobHits) {
        if (!reads) continue;
        // A secret matched by its name alone (no complete ARN on one side): the plan says so.
        const matchedBy = by === 'name' || references.get(located.location)?.matchedBy === 'name' ? 'name' : undefined;
        references.set(located.location, {
          valueFrom: located.reference.valueFrom,
          location: located.location,
          ...(matchedBy ? { matchedBy } : {}),
        });
      }
    }
    candidates.push({
      rank,
      job,
      changes: stale.map(([change]) => summaries.get(change)!),
      references: [...references.values()],
      reaching,
    });
    toDescribe.add(job.jobId);
    toDescribe.add(toParentJobId(job.jobId));
  }

  return {
    changes: effective.map((change) => summaries.get(change)!),
    candidates,
    skipped,
    referencing,
    invalidReferences,
    toDescribe: [...toDescribe],
  };
}
