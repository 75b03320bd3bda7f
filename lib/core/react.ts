/**
 * The use case every entry point runs (SQS batch, sweep, replay, CLI): parse → coalesce → discover → plan →
 * apply → report. It talks to the world only through ports.
 */
import type { Change } from './change';
import { coalesceChanges, toEffectKey } from './coalesce';
import { type BatchJob, toParentJobId } from './fleet';
import { toDefinitionReferences } from './locations';
import { createReferenceIndex } from './match';
import { parseChanges, type Rejection, type SourcedChange } from './parse-events';
import { type FleetView, type Plan, type PlanOptions, plan, type Reaction } from './plan';
import type { Clock, Emitter, JobActions, JobSource, Ledger, OutputEvent } from './ports';
import { type Home, toResourceArn, toResourceKey } from './reference';

/** What happens to planned reactions: applied, only reported (dry-run), or held by the kill switch. */
export type Mode = 'apply' | 'dry-run' | 'kill-switch';

/** What became of one reaction. */
export type ReactionStatus = 'applied' | 'duplicate' | 'failed' | 'dry-run' | 'kill-switch';

/** A reaction and its outcome. */
export interface ReactionOutcome {
  readonly reaction: Reaction;
  readonly status: ReactionStatus;
  readonly replacementJobId?: string;
  readonly note?: string;
  readonly error?: string;
}

/** Everything one run did, for handlers (partial batch failures), metrics, the CLI and tests. */
export interface RunReport {
  readonly changes: readonly SourcedChange[];
  readonly rejected: readonly Rejection[];
  readonly plan: Plan;
  readonly outcomes: readonly ReactionOutcome[];
  readonly jobsScanned: number;
  /** Inputs whose changes led to a failed action: retry these (actions are idempotent). */
  readonly failedSources: readonly string[];
  readonly emitFailures: number;
}

/** The ports and knobs of a run. */
export interface ReactDeps {
  readonly jobs: JobSource;
  readonly actions: JobActions;
  readonly ledger: Ledger;
  readonly emitter: Emitter;
  readonly clock: Clock;
}

/** Options of a run. */
export interface ReactOptions {
  readonly home: Home;
  readonly plan: PlanOptions;
  readonly mode: Mode;
  /** Reports progress of long runs (CLI progress bars, logs). */
  readonly onProgress?: (step: string, done: number, total: number) => void;
}

const coalesceKey = (change: Change) => `${toResourceKey(change.resource)}|${toEffectKey(change.effect)}`;

/** Parses the inputs and reacts to the changes they carry. Bad inputs are rejected; good ones still run. */
export async function reactToEvents(
  inputs: readonly { source: string; event: unknown }[],
  deps: ReactDeps,
  options: ReactOptions,
): Promise<RunReport> {
  const { changes, rejected } = parseChanges(inputs);
  return reactToChanges(changes, rejected, deps, options);
}

/** The live part of the fleet, as discovery found it (the sweep discovers first, then reacts on the same view). */
export interface Discovered {
  readonly queues: FleetView['queues'];
  readonly live: FleetView['jobs'];
  readonly definitions: FleetView['definitions'];
}

/**
 * Lists queues and live jobs, then the definition revisions they use (cached by the reader). With `changes`, the
 * children of an array job are listed only when a change reaches its definition: two calls per array would
 * otherwise grow with every array job in the account.
 */
export async function discoverFleet(
  jobs: JobSource,
  options: { onProgress?: ReactOptions['onProgress']; changes?: readonly Change[]; home?: Home } = {},
): Promise<Discovered> {
  const onProgress = options.onProgress ?? (() => {});
  onProgress('discover', 0, 3);
  const queues = await jobs.listQueues();
  const { changes, home } = options;
  const selectArrays =
    changes && home
      ? async (parents: readonly BatchJob[]) => {
          const definitions = await jobs.getDefinitions([...new Set(parents.map((p) => p.jobDefinition))]);
          const index = createReferenceIndex(
            definitions.map((d) => [d.jobDefinitionArn, toDefinitionReferences(d, home)] as const),
          );
          const reached = new Set(changes.flatMap((change) => index.hitsOf(change).map((hit) => hit.owner)));
          return parents.filter((p) => reached.has(p.jobDefinition));
        }
      : undefined;
  const live = await jobs.listLiveJobs(queues, selectArrays);
  onProgress('discover', 1, 3);
  const definitions = await jobs.getDefinitions([...new Set(live.map((j) => j.jobDefinition))]);
  onProgress('discover', 2, 3);
  return { queues, live, definitions };
}

/** Reacts to already parsed changes; `discovered` skips discovery when the caller already did it. */
export async function reactToChanges(
  changes: readonly SourcedChange[],
  rejected: readonly Rejection[],
  deps: ReactDeps,
  options: ReactOptions,
  discovered?: Discovered,
): Promise<RunReport> {
  const all = changes.map((c) => c.change);
  const effective = coalesceChanges(all);
  if (effective.length === 0) {
    const empty: FleetView = { home: options.home, queues: [], definitions: [], jobs: [] };
    return finish({ plan: plan(all, empty, options.plan), outcomes: [] }, changes, rejected, empty, deps);
  }
  const { queues, live, definitions } =
    discovered ??
    (await discoverFleet(deps.jobs, {
      onProgress: options.onProgress,
      changes: effective,
      home: options.home,
    }));
  let view: FleetView = { home: options.home, queues, definitions, jobs: live };
  // Summaries carry no tags: describe only the jobs a reaction (or a tag-dependent skip) may concern, then decide.
  const first = plan(all, view, { ...options.plan, maxResubmits: Number.POSITIVE_INFINITY });
  const concerned = [
    ...first.reactions.flatMap((r) => [r.jobId, ...(r.childJobIds ?? [])]),
    ...first.skipped.filter((s) => s.reason === 'policy-ignore').map((s) => s.jobId),
  ];
  const wanted = new Set([...concerned, ...concerned.map(toParentJobId)]);
  const details = new Map((await deps.jobs.describeJobs([...wanted])).map((d) => [d.jobId, d]));
  view = { ...view, jobs: live.map((job) => (details.has(job.jobId) ? { ...job, ...details.get(job.jobId) } : job)) };
  options.onProgress?.('discover', 3, 3);
  return finish(await applyPlan(plan(all, view, options.plan), details, deps, options), changes, rejected, view, deps);
}

async function applyPlan(
  decided: Plan,
  details: ReadonlyMap<string, BatchJob>,
  deps: ReactDeps,
  options: ReactOptions,
): Promise<{ plan: Plan; outcomes: ReactionOutcome[] }> {
  const outcomes: ReactionOutcome[] = [];
  for (const [i, reaction] of decided.reactions.entries()) {
    options.onProgress?.('apply', i, decided.reactions.length);
    if (options.mode !== 'apply') {
      outcomes.push({ reaction, status: options.mode });
      continue;
    }
    const job = details.get(reaction.jobId);
    if (!job) {
      outcomes.push({ reaction, status: 'failed', error: `DescribeJobs did not return ${reaction.jobId}` });
      continue;
    }
    outcomes.push(await applyReaction(reaction, job, deps));
  }
  options.onProgress?.('apply', decided.reactions.length, decided.reactions.length);
  return { plan: decided, outcomes };
}

async function applyReaction(reaction: Reaction, job: BatchJob, deps: ReactDeps): Promise<ReactionOutcome> {
  const newest = reaction.changes.reduce((a, b) => (b.changedAt > a.changedAt ? b : a));
  const first = reaction.changes.reduce((a, b) => (b.changedAt < a.changedAt ? b : a));
  // A job is resubmitted at most once, whatever change asks. A flag is per resource and effect, not per event
  // time: a later event or a sweep about the same change does not flag the job again.
  const slot = reaction.action === 'resubmit' ? 'resubmit' : `flag#${first.resource}|${first.effect}`;
  const claim = await deps.ledger.claim({
    jobId: reaction.jobId,
    slot,
    action: reaction.action,
    jobName: reaction.jobName,
    jobQueue: reaction.jobQueue,
    jobDefinition: reaction.jobDefinition,
    changeKeys: reaction.changes.map((c) => c.key),
    references: reaction.references.map((r) => r.valueFrom),
    staleSince: reaction.staleSince,
    claimedAt: deps.clock(),
  });
  if (!claim.claimed) {
    return {
      reaction,
      status: 'duplicate',
      replacementJobId: claim.holder.replacementJobId,
      note: `already ${claim.holder.state}`,
    };
  }
  try {
    if (reaction.action !== 'resubmit') {
      const flagged = await deps.actions.flag(job, reaction);
      const note = flagged.tagged ? 'tagged' : `not tagged: ${flagged.why}`;
      await deps.ledger.complete(reaction.jobId, slot, { note });
      return { reaction, status: 'applied', note };
    }
    // A resumed claim means an earlier attempt may have submitted already: find its replacement, never submit twice.
    const earlier = claim.resumed ? await deps.jobs.findReplacement(job) : undefined;
    const replacementJobId = earlier ?? (await deps.actions.submitReplacement(job));
    // Submit first, then terminate: a crash in between leaves two jobs, never zero.
    await deps.actions.terminate(
      job.jobId,
      `rotation-reactor: replaced by ${replacementJobId}; ${reaction.references[0]?.valueFrom ?? 'a reference'} changed at ${new Date(newest.changedAt).toISOString()}`,
    );
    const note = earlier ? 'found the replacement of an earlier attempt' : 'submitted and terminated';
    await deps.ledger.complete(reaction.jobId, slot, { replacementJobId, note });
    return { reaction, status: 'applied', replacementJobId, note };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await deps.ledger.fail(reaction.jobId, slot, message).catch(() => undefined);
    return { reaction, status: 'failed', error: message };
  }
}

async function finish(
  applied: { plan: Plan; outcomes: ReactionOutcome[] },
  changes: readonly SourcedChange[],
  rejected: readonly Rejection[],
  view: FleetView,
  deps: ReactDeps,
): Promise<RunReport> {
  const { plan: decided, outcomes } = applied;
  const failedKeys = new Set(
    outcomes
      .filter((o) => o.status === 'failed')
      .flatMap((o) => o.reaction.changes.map((c) => `${c.resource}|${c.effect}`)),
  );
  const failedSources = [...new Set(changes.filter((c) => failedKeys.has(coalesceKey(c.change))).map((c) => c.source))];
  const { failed } = await deps.emitter.emit(toOutputEvents(changes, decided, outcomes));
  return {
    changes,
    rejected,
    plan: decided,
    outcomes,
    jobsScanned: view.jobs.length,
    failedSources,
    emitFailures: failed.length,
  };
}

/** The output events of a run: one `Change Processed` per change, one event per applied or failed action. */
export function toOutputEvents(
  changes: readonly SourcedChange[],
  decided: Plan,
  outcomes: readonly ReactionOutcome[],
): OutputEvent[] {
  const events: OutputEvent[] = [];
  const seen = new Set<string>();
  // Indexed once by coalesce key: looking them up per change made 100,000 changes take minutes.
  const reachingByKey = new Map<string, ReactionOutcome[]>();
  for (const o of outcomes) {
    for (const key of new Set(o.reaction.changes.map((c) => `${c.resource}|${c.effect}`))) {
      const reaching = reachingByKey.get(key);
      if (reaching) reaching.push(o);
      else reachingByKey.set(key, [o]);
    }
  }
  const countedByKey = new Map<string, Plan['outcomes'][number]>();
  for (const o of decided.outcomes) {
    const key = `${o.change.resource}|${o.change.effect}`;
    if (!countedByKey.has(key)) countedByKey.set(key, o);
  }
  const skippedByKey = new Map<string, Record<string, number>>();
  for (const skip of decided.skipped) {
    // A skip's change keys are `resource|effect|time`: its coalesce key is all but the time.
    for (const key of new Set(skip.changes.map((k) => k.slice(0, k.lastIndexOf('|'))))) {
      const counts = skippedByKey.get(key) ?? {};
      counts[skip.reason] = (counts[skip.reason] ?? 0) + 1;
      skippedByKey.set(key, counts);
    }
  }
  for (const { change } of changes) {
    const key = coalesceKey(change);
    if (seen.has(key)) continue;
    seen.add(key);
    const reaching = reachingByKey.get(key) ?? [];
    const counted = countedByKey.get(key);
    const skipped: Record<string, number> = { ...skippedByKey.get(key) };
    const count = (action: string, status: string) =>
      reaching.filter((o) => o.reaction.action === action && o.status === status).length;
    events.push({
      detailType: 'Change Processed',
      resources: [toResourceArn(change.resource)],
      detail: {
        kind: change.kind,
        resource: toResourceKey(change.resource),
        effect: toEffectKey(change.effect),
        changedAt: new Date(change.changedAt).toISOString(),
        eventId: change.eventId,
        ...(change.replayName ? { replayName: change.replayName } : {}),
        counts: {
          referencingJobs: counted?.referencingJobs ?? 0,
          staleJobs: counted?.staleJobs ?? 0,
          flagged: count('flag', 'applied') + count('resubmit-on-failure', 'applied'),
          resubmitted: count('resubmit', 'applied'),
          duplicates: reaching.filter((o) => o.status === 'duplicate').length,
          failed: reaching.filter((o) => o.status === 'failed').length,
          planned: reaching.filter((o) => o.status === 'dry-run' || o.status === 'kill-switch').length,
          skipped,
        },
      },
    });
  }
  for (const outcome of outcomes) {
    const { reaction } = outcome;
    const base = {
      jobId: reaction.jobId,
      jobName: reaction.jobName,
      jobQueue: reaction.jobQueue,
      jobDefinition: reaction.jobDefinition,
      action: reaction.action,
      reason: reaction.reason,
      policySource: reaction.policySource,
      staleSince: new Date(reaction.staleSince).toISOString(),
      changes: reaction.changes.map((c) => c.key),
      references: reaction.references,
    };
    const resources = reaction.jobArn ? [reaction.jobArn] : [];
    if (outcome.status === 'failed') {
      events.push({ detailType: 'Job Action Failed', resources, detail: { ...base, error: outcome.error } });
    } else if (outcome.status === 'applied' && reaction.action === 'resubmit') {
      events.push({
        detailType: 'Job Resubmitted',
        resources,
        detail: {
          ...base,
          replacementJobId: outcome.replacementJobId,
          childJobIds: reaction.childJobIds,
          note: outcome.note,
        },
      });
    } else if (outcome.status === 'applied') {
      events.push({ detailType: 'Stale Job Flagged', resources, detail: { ...base, note: outcome.note } });
    }
  }
  return events;
}
