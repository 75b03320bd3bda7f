/**
 * Stage 2 of the decision: the stale candidates and their job details → one reaction per stale job (policy,
 * inactive revisions, array parents, the blast-radius cap) or a skip. Pure; details come from one DescribeJobs.
 */
import type { Change } from './change';
import type { Action, ChangeOutcome, FleetView, Plan, Reaction, ReactionReason, Skip, SkipReason } from './decision';
import { type RankedSkip, type StaleSearch, toFreshnessSkip } from './find-stale';
import { type BatchJob, isChildJob, toParentJobId } from './fleet';
import { type Policy, resolvePolicy } from './policy';
import { toFreshness } from './staleness';

/** Knobs of stage 2. */
export interface DecideOptions {
  readonly defaultPolicy: Policy;
  /** Re-checks staleness on the details (a job may have finished since it was listed). */
  readonly staleMarginMs: number;
  /** Resubmissions beyond this many become flags with reason `blast-radius`. */
  readonly maxResubmits: number;
}

/** What stage 2 reads besides the candidates: queue and definition tags, and the candidates' details. */
export interface DecideInput {
  readonly fleet: Pick<FleetView, 'queues' | 'definitions'>;
  /** DescribeJobs details by job id (tags, effective spec, current status); a missing one keeps the summary. */
  readonly details: ReadonlyMap<string, BatchJob>;
}

/** Decides what happens to every stale candidate; each stale job appears once, however many changes reach it. */
export function decideReactions(search: StaleSearch, input: DecideInput, options: DecideOptions): Plan {
  const definitions = new Map<string, FleetView['definitions'][number]>();
  for (const d of input.fleet.definitions) {
    definitions.set(d.jobDefinitionArn, d);
    definitions.set(`${d.jobDefinitionName}:${d.revision}`, d);
  }
  const queues = new Map<string, FleetView['queues'][number]>();
  for (const q of input.fleet.queues) {
    queues.set(q.jobQueueArn, q);
    queues.set(q.jobQueueName, q);
  }
  const summaryOf = (change: Change) => search.summaries.get(change)!;
  const stale = new Map<Change, number>();
  const warnings = new Set<string>();
  const skipped: RankedSkip[] = [...search.skipped];
  const candidates: Reaction[] = [];

  for (const { rank, job: listed, changes, references, reaching } of search.candidates) {
    const detail = input.details.get(listed.jobId);
    const job: BatchJob = detail ? { ...listed, ...detail } : listed;
    const skip = (reason: SkipReason) =>
      skipped.push({ rank, skip: { jobId: job.jobId, jobName: job.jobName, reason, changes: reaching } });
    // The job may have finished (or been found to start later) since it was listed.
    const freshness = changes.map((change) => toFreshness(job, change.changedAt, options.staleMarginMs));
    const staleChanges = changes.filter((_, i) => freshness[i] === 'stale');
    if (staleChanges.length === 0) {
      skip(toFreshnessSkip(freshness));
      continue;
    }
    for (const change of staleChanges) stale.set(change, (stale.get(change) ?? 0) + 1);

    const definition = definitions.get(job.jobDefinition);
    const resolved = resolvePolicy(
      { job: job.tags, definition: definition?.tags, queue: queues.get(job.jobQueue)?.tags },
      options.defaultPolicy,
    );
    for (const problem of resolved.invalid) warnings.add(`${job.jobId}: ${problem}`);
    if (resolved.policy === 'ignore') {
      skip('policy-ignore');
      continue;
    }
    const deleted = staleChanges.some((change) => change.effect.kind === 'deleted');
    const inactive = resolved.policy === 'resubmit' && definition?.status === 'INACTIVE';
    const action: Action = deleted || inactive ? 'flag' : resolved.policy;
    const reason: ReactionReason = deleted ? 'deleted' : inactive ? 'definition-inactive' : 'stale';
    candidates.push({
      jobId: job.jobId,
      jobArn: job.jobArn,
      jobName: job.jobName,
      jobQueue: job.jobQueue,
      jobDefinition: job.jobDefinition,
      status: job.status,
      startedAt: job.startedAt,
      action,
      reason,
      policy: resolved.policy,
      policySource: resolved.source,
      staleSince: staleChanges.reduce((min, change) => Math.min(min, change.changedAt), Number.POSITIVE_INFINITY),
      changes: staleChanges.map(summaryOf),
      references,
    });
  }

  const reactions = capResubmits(mergeChildResubmits(candidates), options.maxResubmits);
  // An array parent resubmitted for its children is itself PENDING: it appears once, as the reaction.
  const reacting = new Set(reactions.map((r) => r.jobId));
  const outcomes: ChangeOutcome[] = search.changes.map((change) => ({
    change: summaryOf(change),
    referencingJobs: search.referencing.get(change) ?? 0,
    staleJobs: stale.get(change) ?? 0,
  }));
  return {
    changes: search.changes.map(summaryOf),
    reactions,
    skipped: inDecisionOrder(skipped).filter((s) => !reacting.has(s.jobId)),
    outcomes,
    invalidReferences: search.invalidReferences,
    warnings: [...warnings],
  };
}

function inDecisionOrder(skipped: readonly RankedSkip[]): Skip[] {
  return [...skipped].sort((a, b) => a.rank - b.rank).map((s) => s.skip);
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
