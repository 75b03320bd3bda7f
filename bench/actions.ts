/** What a strategy did, from its run reports, and how two strategies' actions differ. */
import type { ReactionStatus } from '../lib/core/apply';
import type { RunReport } from '../lib/core/react';

/** The jobs a strategy acted on, by action, and its outcome counts. */
export interface Actions {
  /** Jobs flagged (`flag` and `resubmit-on-failure`), whatever number of flags each got. */
  readonly flagged: ReadonlySet<string>;
  /** Jobs replaced (submit, then terminate). */
  readonly resubmitted: ReadonlySet<string>;
  /** Flags applied (a job flagged again for another resource counts again). */
  readonly flagsApplied: number;
  readonly outcomes: Readonly<Partial<Record<ReactionStatus, number>>>;
  /** The definition revision of every job acted on. */
  readonly definitionOf: ReadonlyMap<string, string>;
  /** First few errors of failed actions. */
  readonly errors: readonly string[];
}

/** Collects the actions applied over a strategy's runs. */
export function collectActions(reports: readonly RunReport[]): Actions {
  const flagged = new Set<string>();
  const resubmitted = new Set<string>();
  const definitionOf = new Map<string, string>();
  const outcomes: Partial<Record<ReactionStatus, number>> = {};
  const errors: string[] = [];
  let flagsApplied = 0;
  for (const outcome of reports.flatMap((r) => r.outcomes)) {
    outcomes[outcome.status] = (outcomes[outcome.status] ?? 0) + 1;
    if (outcome.error && errors.length < 5) errors.push(outcome.error);
    if (outcome.status !== 'applied') continue;
    const { jobId, action, jobDefinition } = outcome.reaction;
    definitionOf.set(jobId, jobDefinition);
    if (action === 'resubmit') resubmitted.add(jobId);
    else {
      flagged.add(jobId);
      flagsApplied++;
    }
  }
  return { flagged, resubmitted, flagsApplied, outcomes, definitionOf, errors };
}

/** How the naive strategy's actions differ from rotation-reactor's. */
export interface ActionDifference {
  /** Jobs rotation-reactor acted on that run on an INACTIVE revision, which a scan of ACTIVE definitions never sees. */
  readonly missedOnInactiveRevisions: number;
  /** Any other difference (expected: none); a few job ids for investigation. */
  readonly other: number;
  readonly otherExamples: readonly string[];
}

/** Compares the jobs each strategy flagged and resubmitted. */
export function compareActions(
  reactor: Actions,
  naive: Actions,
  inactiveRevisions: ReadonlySet<string>,
): ActionDifference {
  let missed = 0;
  const other: string[] = [];
  for (const kind of ['flagged', 'resubmitted'] as const) {
    for (const jobId of reactor[kind]) {
      if (naive[kind].has(jobId)) continue;
      if (inactiveRevisions.has(reactor.definitionOf.get(jobId) ?? '')) missed++;
      else other.push(`${jobId} ${kind} by rotation-reactor only`);
    }
    for (const jobId of naive[kind]) {
      if (!reactor[kind].has(jobId)) other.push(`${jobId} ${kind} by naive only`);
    }
  }
  return { missedOnInactiveRevisions: missed, other: other.length, otherExamples: other.slice(0, 5) };
}
