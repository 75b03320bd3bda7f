/**
 * Stage 2 of the decision: the stale candidates and their job details → one reaction per stale job (lineage,
 * policy, inactive revisions, what may be submitted, array parents, the blast-radius cap per change) or a skip.
 * Pure; details come from one DescribeJobs, budgets from one ledger read.
 */
import type {
  Action,
  ChangeOutcome,
  ChangeSummary,
  FleetView,
  Plan,
  Reaction,
  ReactionReason,
  ReactionReference,
  SkipReason,
} from './decision';
import { type RankedSkip, type StaleSearch, toFreshnessSkip } from './find-stale';
import { type BatchJob, isChildJob, toParentJobId } from './fleet';
import { type ChangeKey, parseLineageTag, REACTOR_JOB_TAGS, REPLACES_TAG } from './keys';
import { type Policy, resolvePolicy } from './policy';
import type { Budget } from './ports';
import { toFreshness } from './staleness';
import { isSubmitAllowed, type SubmitScope } from './submit-scope';

/** SubmitJob accepts at most 50 tags, and a job whose own and propagated definition tags exceed 50 fails. */
export const MAX_JOB_TAGS = 50;

/** What started the decision: a change (or the sweep, a replay, the CLI), or a flagged job that failed since. */
export type Trigger = 'change' | 'job-failure';

/** Knobs of stage 2. */
export interface DecideOptions {
  readonly defaultPolicy: Policy;
  /** Re-checks staleness on the details (a job may have finished since it was listed). */
  readonly staleMarginMs: number;
  /** Jobs restarted by resubmissions for one change (resource + time), across runs; beyond it, `blast-radius`. */
  readonly maxResubmitsPerChange: number;
  /** Where the deployment may submit; resubmissions elsewhere are flagged `not-permitted` (default: anywhere). */
  readonly submitScope?: SubmitScope;
  /** Default `change`. On `job-failure` the candidates FAILED after being flagged: freshness no longer applies. */
  readonly trigger?: Trigger;
}

/** What stage 2 reads besides the candidates. */
export interface DecideInput {
  readonly fleet: Pick<FleetView, 'queues' | 'definitions'>;
  /** DescribeJobs details by job id (tags, effective spec, current status); a missing one keeps the summary. */
  readonly details: ReadonlyMap<string, BatchJob>;
  /** What earlier runs reserved of each change's blast-radius budget (absent: nothing). */
  readonly budgets?: ReadonlyMap<ChangeKey, Budget>;
}

/** The changes whose budget a decision will read: each resubmission charges its earliest change. */
export function toBudgetKeys(search: StaleSearch): ChangeKey[] {
  return [...new Set(search.candidates.map((c) => toPrimaryChange(c.changes).key))];
}

/** The change a resubmission is charged to: the earliest one that made the job stale (ties: the smallest key). */
export function toPrimaryChange(changes: readonly ChangeSummary[]): ChangeSummary {
  return changes.reduce((a, b) =>
    b.changedAt < a.changedAt || (b.changedAt === a.changedAt && b.key < a.key) ? b : a,
  );
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
  const onFailure = options.trigger === 'job-failure';
  const stale = new Map<ChangeKey, number>();
  const warnings = new Set<string>();
  const skipped: RankedSkip[] = [...search.skipped];
  const candidates: Reaction[] = [];

  for (const { rank, job: listed, changes, references, reaching } of search.candidates) {
    const detail = input.details.get(listed.jobId);
    const job: BatchJob = detail ? { ...listed, ...detail } : listed;
    const skip = (reason: SkipReason) =>
      skipped.push({ rank, skip: { jobId: job.jobId, jobName: job.jobName, reason, changes: reaching } });

    // The reactor's own replacement started with every value up to the change it answers: never stale for those.
    const answered = toAnsweredAt(job, input.details.get(toParentJobId(job.jobId)));
    const unanswered = changes.filter((change) => answered === undefined || change.changedAt > answered);
    if (unanswered.length === 0) {
      skip('is-replacement');
      continue;
    }
    // The job may have finished (or be found to have started later) since it was listed.
    const freshness = onFailure
      ? unanswered.map(() => 'stale' as const)
      : unanswered.map((change) => toFreshness(job, change.changedAt, options.staleMarginMs));
    const staleChanges = unanswered.filter((_, i) => freshness[i] === 'stale');
    if (staleChanges.length === 0) {
      skip(toFreshnessSkip(freshness));
      continue;
    }
    for (const change of staleChanges) stale.set(change.key, (stale.get(change.key) ?? 0) + 1);

    const definition = definitions.get(job.jobDefinition);
    const resolved = resolvePolicy(
      { job: job.tags, definition: definition?.tags, queue: queues.get(job.jobQueue)?.tags },
      options.defaultPolicy,
    );
    for (const problem of resolved.invalid) warnings.add(`${job.jobId}: ${problem}`);
    if (resolved.policy === 'ignore' || (onFailure && resolved.policy === 'flag')) {
      skip('policy-ignore');
      continue;
    }
    const wanted: Action = onFailure ? 'resubmit' : resolved.policy;
    const { action, reason } = toAction(wanted, {
      deleted: staleChanges.some((change) => change.effect === 'deleted'),
      inactive: definition?.status === 'INACTIVE',
      permitted: isSubmitAllowed(
        options.submitScope,
        { ref: job.jobQueue, tags: queues.get(job.jobQueue)?.tags },
        { ref: job.jobDefinition, tags: definition?.tags },
      ),
      tagsFit: toCopyTagCount(job, definition?.tags) <= MAX_JOB_TAGS,
      onFailure,
    });
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
      changes: staleChanges,
      references,
    });
  }

  const reactions = capPerChange(mergeChildren(candidates), input, options.maxResubmitsPerChange);
  // An array parent resubmitted for its children is itself PENDING: it appears once, as the reaction.
  const reacting = new Set(reactions.flatMap((r) => [r.jobId, ...(r.childJobIds ?? [])]));
  const outcomes: ChangeOutcome[] = search.changes.map((change) => ({
    change,
    referencingJobs: search.referencing.get(change.key) ?? 0,
    staleJobs: stale.get(change.key) ?? 0,
  }));
  return {
    changes: search.changes,
    reactions,
    skipped: [...skipped]
      .sort((a, b) => a.rank - b.rank)
      .map((s) => s.skip)
      .filter((s) => !reacting.has(s.jobId)),
    outcomes,
    invalidReferences: search.invalidReferences,
    warnings: [...warnings],
  };
}

/**
 * Resubmissions of jobs other jobs still wait on become flags (`has-dependents`): terminating the stale job after
 * its copy is submitted would fail its dependents, and Batch cannot point them at the copy.
 */
export function holdBackDependents(plan: Plan, dependents: ReadonlyMap<string, readonly string[]>): Plan {
  if (dependents.size === 0) return plan;
  return {
    ...plan,
    reactions: plan.reactions.map((reaction) =>
      reaction.action === 'resubmit' && dependents.has(reaction.jobId)
        ? { ...reaction, action: 'flag', reason: 'has-dependents', budget: undefined }
        : reaction,
    ),
  };
}

/** The time of the newest change a replacement answers (its lineage tag, or its parent's); undefined otherwise. */
function toAnsweredAt(job: BatchJob, parent: BatchJob | undefined): number | undefined {
  const lineage = parseLineageTag(job.tags?.[REPLACES_TAG]) ?? parseLineageTag(parent?.tags?.[REPLACES_TAG]);
  if (!lineage) return undefined;
  // A replacement from before the lineage carried a time was submitted after the change it answers.
  return lineage.answers ?? job.createdAt ?? parent?.createdAt;
}

/** How many tags the copy would carry: the job's own (minus `aws:` and the reactor's) plus the lineage tag. */
export function toCopyTagCount(job: BatchJob, definitionTags?: Readonly<Record<string, string>>): number {
  const own = Object.keys(job.tags ?? {}).filter((key) => !key.startsWith('aws:') && !REACTOR_JOB_TAGS.includes(key));
  const keys = new Set([...own, REPLACES_TAG]);
  // With propagateTags, Batch fails the job when its own and its definition's tags together exceed 50.
  if (job.propagateTags === true) for (const key of Object.keys(definitionTags ?? {})) keys.add(key);
  return keys.size;
}

function toAction(
  wanted: Action,
  facts: { deleted: boolean; inactive: boolean; permitted: boolean; tagsFit: boolean; onFailure: boolean },
): { action: Action; reason: ReactionReason } {
  // A deletion never resubmits: the copy could not start.
  if (facts.deleted) return { action: 'flag', reason: 'deleted' };
  if (wanted !== 'resubmit') return { action: wanted, reason: 'stale' };
  // Batch refuses SubmitJob on a deregistered revision, and another revision would not be a faithful copy.
  if (facts.inactive) return { action: 'flag', reason: 'definition-inactive' };
  if (!facts.permitted) return { action: 'flag', reason: 'not-permitted' };
  if (!facts.tagsFit) return { action: 'flag', reason: 'too-many-tags' };
  return { action: 'resubmit', reason: facts.onFailure ? 'failed-after-flag' : 'stale' };
}

/**
 * Batch cannot resubmit an array child or a multi-node node alone. Children are folded into their parent's
 * reaction when the parent itself is stale (a multi-node main job acts for its nodes); otherwise a stale child
 * that is to be resubmitted (now or on failure) makes its parent be resubmitted once, for all of them. Flags of
 * children whose parent is not stale stay per child.
 */
function mergeChildren(candidates: readonly Reaction[]): Reaction[] {
  const stale = new Set(candidates.map((r) => r.jobId));
  const merged: Reaction[] = [];
  const at = new Map<string, number>();
  const waiting = new Map<string, Reaction[]>();
  const fold = (index: number, child: Reaction) => {
    const parent = merged[index];
    merged[index] = {
      ...parent,
      staleSince: Math.min(parent.staleSince, child.staleSince),
      changes: unionBy(parent.changes, child.changes, (c) => c.key),
      references: unionBy(parent.references, child.references, (r: ReactionReference) => r.location),
      childJobIds: [...(parent.childJobIds ?? []), child.jobId],
    };
  };
  for (const reaction of candidates) {
    if (!isChildJob(reaction.jobId)) {
      at.set(reaction.jobId, merged.length);
      merged.push(reaction);
      for (const child of waiting.get(reaction.jobId) ?? []) fold(at.get(reaction.jobId)!, child);
      continue;
    }
    const parentId = toParentJobId(reaction.jobId);
    const index = at.get(parentId);
    if (index !== undefined) fold(index, reaction);
    // The parent is stale too but comes later (it started later): fold into it there.
    else if (stale.has(parentId)) waiting.set(parentId, [...(waiting.get(parentId) ?? []), reaction]);
    else if (reaction.action === 'flag') merged.push(reaction);
    else {
      at.set(parentId, merged.length);
      merged.push({
        ...reaction,
        jobId: parentId,
        jobArn: reaction.jobArn?.replace(/[:#][^/]*$/, ''),
        childJobIds: [reaction.jobId],
      });
    }
  }
  return merged;
}

function unionBy<T>(a: readonly T[], b: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set(a.map(key));
  return [...a, ...b.filter((item) => !seen.has(key(item)))];
}

/**
 * The blast-radius cap, per change and across runs: a resubmission charges its earliest change with the number of
 * jobs it restarts (an array: its children), on top of what earlier runs reserved; beyond the cap it becomes a flag
 * (`blast-radius`) until an operator approves it or raises the cap. Oldest start first (the decision's order).
 */
function capPerChange(reactions: readonly Reaction[], input: DecideInput, cap: number): Reaction[] {
  const used = new Map<ChangeKey, number>();
  return reactions.map((reaction) => {
    if (reaction.action !== 'resubmit') return reaction;
    const primary = toPrimaryChange(reaction.changes).key;
    const budget = input.budgets?.get(primary);
    const weight = toWeight(reaction, input.details);
    // A job an earlier attempt reserved for keeps its place: a retry never counts twice.
    if (budget?.jobs.has(reaction.jobId)) return { ...reaction, budget: { change: primary, weight } };
    const total = (used.get(primary) ?? budget?.used ?? 0) + weight;
    if (total > cap) return { ...reaction, action: 'flag', reason: 'blast-radius' };
    used.set(primary, total);
    return { ...reaction, budget: { change: primary, weight } };
  });
}

/** Jobs a resubmission restarts: an array's size (its children), otherwise one. */
function toWeight(reaction: Reaction, details: ReadonlyMap<string, BatchJob>): number {
  const size = details.get(reaction.jobId)?.arrayProperties?.size;
  return typeof size === 'number' && size > 0 ? size : Math.max(1, reaction.childJobIds?.length ?? 1);
}
