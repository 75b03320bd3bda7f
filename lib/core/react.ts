/**
 * The use case every entry point runs (SQS batch, sweep, replay, CLI): parse → coalesce → discover → find stale
 * jobs (stage 1) → describe them once → decide (stage 2) → apply → report. It talks to the world only through ports.
 */
import { type ApplyDeps, applyReactions, type Mode, type ReactionOutcome, type ReactionStatus } from './apply';
import { coalesceChanges } from './coalesce';
import { decideReactions, holdBackDependents, toBudgetKeys } from './decide';
import type { FleetView, Plan, PlanOptions } from './decision';
import { discoverFleet, type ProgressListener, toFleetView } from './discover';
import { findStaleJobs, type StaleSearch } from './find-stale';
import { parseChangeKey, toSubjectKey } from './keys';
import { toOutputEvents } from './output-events';
import { parseChanges, type Rejection, type SourcedChange } from './parse-events';
import type { Emitter } from './ports';
import type { Home } from './reference';

/** Everything one run did, for handlers (partial batch failures), metrics, the CLI and tests. */
export interface RunReport {
  readonly changes: readonly SourcedChange[];
  readonly rejected: readonly Rejection[];
  readonly plan: Plan;
  readonly outcomes: readonly ReactionOutcome[];
  readonly jobsScanned: number;
  /** Inputs whose changes led to a failed or deferred action: retry these (done actions are not redone). */
  readonly failedSources: readonly string[];
  readonly emitFailures: number;
}

/** The ports of a run. */
export type ReactDeps = ApplyDeps & { readonly emitter: Emitter };

/** Options of a run. */
export interface ReactOptions {
  readonly home: Home;
  readonly plan: PlanOptions;
  readonly mode: Mode;
  /** Reports progress of long runs (CLI progress bars, logs). */
  readonly onProgress?: ProgressListener;
  /** Milliseconds left for this invocation (Lambda): no new action starts when it runs short. */
  readonly remainingMs?: () => number;
  /** Operator approval (the `resubmit` command): resubmissions skip the blast-radius budget. */
  readonly approved?: boolean;
}

/** Statuses whose trigger must be retried: the action did not happen and may succeed later. */
const RETRIED: ReadonlySet<ReactionStatus> = new Set(['failed', 'deferred']);

/** Parses the inputs and reacts to the changes they carry. Bad inputs are rejected; good ones still run. */
export async function reactToEvents(
  inputs: readonly { source: string; event: unknown }[],
  deps: ReactDeps,
  options: ReactOptions,
): Promise<RunReport> {
  const { changes, rejected } = parseChanges(inputs);
  return reactToChanges(changes, rejected, deps, options);
}

/** Reacts to already parsed changes: discovery, stage 1, one DescribeJobs, stage 2, apply, report. */
export async function reactToChanges(
  changes: readonly SourcedChange[],
  rejected: readonly Rejection[],
  deps: ReactDeps,
  options: ReactOptions,
): Promise<RunReport> {
  const all = changes.map((c) => c.change);
  const empty: FleetView = { home: options.home, queues: [], definitions: [], jobs: [] };
  if (coalesceChanges(all).length === 0) {
    return decideAndApply(findStaleJobs(all, empty, options.plan), empty, changes, rejected, deps, options);
  }
  const discovered = await discoverFleet(deps.jobs, {
    onProgress: options.onProgress,
    changes: coalesceChanges(all),
    home: options.home,
  });
  const view = toFleetView(discovered, options.home);
  return decideAndApply(findStaleJobs(all, view, options.plan), view, changes, rejected, deps, options);
}

/**
 * The second half of every run, once stage 1 is done: one DescribeJobs for the candidates, stage 2, apply, output
 * events. The sweep calls it on its own search.
 */
export async function decideAndApply(
  search: StaleSearch,
  view: FleetView,
  changes: readonly SourcedChange[],
  rejected: readonly Rejection[],
  deps: ReactDeps,
  options: ReactOptions,
): Promise<RunReport> {
  // Summaries carry no tags: describe only the jobs stage 1 found stale (and their parents), once.
  const details = new Map(
    search.toDescribe.length === 0
      ? []
      : (await deps.jobs.describeJobs(search.toDescribe)).map((detail) => [detail.jobId, detail] as const),
  );
  options.onProgress?.('discover', 3, 3);
  // What earlier runs reserved of each change's blast-radius budget: the cap holds across runs.
  const budgets =
    options.mode === 'apply' && search.candidates.length > 0
      ? await deps.ledger.budgetsOf(toBudgetKeys(search))
      : undefined;
  const decision = decideReactions(search, { fleet: view, details, budgets }, options.plan);
  // Only when something is to be resubmitted: who still waits on those jobs (their termination would fail them).
  const resubmits = decision.reactions.filter((r) => r.action === 'resubmit').map((r) => r.jobId);
  const decided =
    resubmits.length === 0
      ? decision
      : holdBackDependents(decision, await deps.jobs.findDependents(resubmits, view.queues));
  const outcomes = await applyReactions(decided, details, deps, {
    mode: options.mode,
    maxResubmitsPerChange: options.plan.maxResubmitsPerChange,
    approved: options.approved,
    remainingMs: options.remainingMs,
    onProgress: options.onProgress,
  });
  const failedSubjects = new Set(
    outcomes
      .filter((o) => RETRIED.has(o.status))
      .flatMap((o) => o.reaction.changes.map((c) => parseChangeKey(c.key)?.subject)),
  );
  const failedSources = [
    ...new Set(changes.filter((c) => failedSubjects.has(toSubjectKey(c.change))).map((c) => c.source)),
  ];
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
