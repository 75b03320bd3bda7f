/**
 * Applying a decision: for each reaction, a fenced claim in the ledger, then the action (tag; or reserve the
 * change's budget, submit a faithful copy, then terminate), then its outcome in the ledger. Nothing here decides
 * what to do; it carries the decision out exactly once, or reports why it did not.
 */
import type { Plan, Reaction } from './decision';
import { describeError, FencedOutError, isRetryable } from './errors';
import type { BatchJob } from './fleet';
import { type ChangeKey, parseChangeKey, RESUBMIT, type SubjectKey, toFlagSlot, toSlotName } from './keys';
import type { Claim, ClaimTicket, Clock, JobActions, JobSource, Ledger, Log } from './ports';

/** What happens to planned reactions: applied, or only reported (dry-run). */
export type Mode = 'apply' | 'dry-run';

/**
 * What became of one reaction: `applied`; `duplicate` (another attempt did or is doing it); `failed` (transient:
 * its trigger is retried); `refused` (Batch refused the copy: the job was flagged instead, never retried);
 * `deferred` (the invocation ran short of time before starting it: its trigger is retried); `dry-run`.
 */
export type ReactionStatus = 'applied' | 'duplicate' | 'failed' | 'refused' | 'deferred' | 'dry-run';

/** A reaction and its outcome (the reaction as applied: a resubmission over its budget became a flag). */
export interface ReactionOutcome {
  readonly reaction: Reaction;
  readonly status: ReactionStatus;
  readonly replacementJobId?: string;
  readonly note?: string;
  readonly error?: string;
}

/** The ports an apply needs. */
export interface ApplyDeps {
  readonly jobs: JobSource;
  readonly actions: JobActions;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly log?: Log;
}

/** How to apply. */
export interface ApplyOptions {
  readonly mode: Mode;
  /** The blast-radius cap per change (what a resubmission's budget reservation is checked against). */
  readonly maxResubmitsPerChange: number;
  /** Operator approval (the `resubmit` command): resubmissions skip the budget. */
  readonly approved?: boolean;
  /** Terminate the stale job after submitting its copy (not for a job that already failed). Default true. */
  readonly terminate?: boolean;
  /** Milliseconds left for this invocation; no new action starts when fewer than `reserveMs` remain. */
  readonly remainingMs?: () => number;
  readonly reserveMs?: number;
  readonly onProgress?: (step: string, done: number, total: number) => void;
}

/** No new action starts with less time left than this (one action's worst case at the Batch rate limit). */
export const DEFAULT_RESERVE_MS = 20_000;

/** Applies every reaction of a decision (or reports it, in dry-run). */
export async function applyReactions(
  decided: Pick<Plan, 'reactions'>,
  details: ReadonlyMap<string, BatchJob>,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<ReactionOutcome[]> {
  const outcomes: ReactionOutcome[] = [];
  const total = decided.reactions.length;
  for (const [i, reaction] of decided.reactions.entries()) {
    options.onProgress?.('apply', i, total);
    if (options.mode === 'dry-run') {
      outcomes.push({ reaction, status: 'dry-run' });
      continue;
    }
    // Out of time: stop starting actions; the trigger is retried and done work is not redone (the ledger).
    if (options.remainingMs && options.remainingMs() < (options.reserveMs ?? DEFAULT_RESERVE_MS)) {
      outcomes.push({ reaction, status: 'deferred', note: 'the invocation ran short of time: retried later' });
      continue;
    }
    const job = details.get(reaction.jobId);
    if (!job) {
      outcomes.push({ reaction, status: 'failed', error: `DescribeJobs did not return ${reaction.jobId}` });
      continue;
    }
    outcomes.push(await applyReaction(reaction, job, deps, options));
  }
  options.onProgress?.('apply', total, total);
  return outcomes;
}

/** The reason written on a replaced job: its replacement, and the change (resource, effect, time) it answers. */
export function toTerminateReason(reaction: Reaction, replacementJobId: string): string {
  const first = reaction.changes.reduce((a, b) => (b.changedAt < a.changedAt ? b : a));
  const more = reaction.changes.length > 1 ? ` (and ${reaction.changes.length - 1} more change(s))` : '';
  return `rotation-reactor: replaced by ${replacementJobId}; ${first.resource} ${first.effect} at ${new Date(first.changedAt).toISOString()}${more}`;
}

function toSubject(key: ChangeKey): SubjectKey {
  const parsed = parseChangeKey(key);
  if (!parsed) throw new Error(`not a change key: ${key}`);
  return parsed.subject;
}

async function applyReaction(
  reaction: Reaction,
  job: BatchJob,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<ReactionOutcome> {
  if (reaction.action !== 'resubmit') return applyFlag(reaction, job, deps);
  if (reaction.budget && !options.approved) {
    const { change, weight } = reaction.budget;
    const reserved = await deps.ledger.reserve(change, reaction.jobId, weight, options.maxResubmitsPerChange);
    // Another run took the rest of this change's budget meanwhile: wait for an operator, like the rest.
    if (!reserved.reserved) {
      return applyFlag({ ...reaction, action: 'flag', reason: 'blast-radius', budget: undefined }, job, deps);
    }
  }
  return applyResubmit(reaction, job, deps, options);
}

function toClaimRequest(reaction: Reaction, slot: string) {
  return {
    jobId: reaction.jobId,
    slot,
    action: reaction.action,
    jobName: reaction.jobName,
    jobQueue: reaction.jobQueue,
    jobDefinition: reaction.jobDefinition,
    changeKeys: reaction.changes.map((c) => c.key),
    references: reaction.references.map((r) => r.valueFrom),
    staleSince: reaction.staleSince,
  };
}

function toDuplicate(reaction: Reaction, claim: Extract<Claim, { claimed: false }>): ReactionOutcome {
  return {
    reaction,
    status: 'duplicate',
    replacementJobId: claim.holder.replacementJobId,
    note: `already ${claim.holder.state}`,
  };
}

/** Records a failure against a claim this process holds; a bookkeeping error is logged, never thrown over it. */
async function recordFailure(deps: ApplyDeps, ticket: ClaimTicket, error: string, refused = false): Promise<void> {
  try {
    await deps.ledger.fail(ticket, error, { refused });
  } catch (cause) {
    deps.log?.warn('could not record a failed action in the ledger', {
      jobId: ticket.jobId,
      slot: ticket.slot,
      error,
      cause: describeError(cause),
    });
  }
}

async function applyFlag(reaction: Reaction, job: BatchJob, deps: ApplyDeps): Promise<ReactionOutcome> {
  // A flag is per resource and effect, not per event time: a later event or a sweep about the same change does
  // not flag the job again.
  const first = reaction.changes.reduce((a, b) => (b.changedAt < a.changedAt ? b : a));
  const claim = await deps.ledger.claim(toClaimRequest(reaction, toSlotName(toFlagSlot(toSubject(first.key)))));
  if (!claim.claimed) return toDuplicate(reaction, claim);
  try {
    const flagged = await deps.actions.flag(job, reaction);
    const note = flagged.tagged ? 'tagged' : `not tagged: ${flagged.why}`;
    await deps.ledger.complete(claim.ticket, { note });
    return { reaction, status: 'applied', note };
  } catch (error) {
    if (error instanceof FencedOutError) return { reaction, status: 'duplicate', note: error.message };
    await recordFailure(deps, claim.ticket, describeError(error));
    return { reaction, status: 'failed', error: describeError(error) };
  }
}

async function applyResubmit(
  reaction: Reaction,
  job: BatchJob,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<ReactionOutcome> {
  // A job is resubmitted at most once, whatever change asks.
  const claim = await deps.ledger.claim(toClaimRequest(reaction, toSlotName(RESUBMIT)));
  if (!claim.claimed) return toDuplicate(reaction, claim);
  const { ticket } = claim;
  let replacementJobId: string | undefined;
  try {
    // A resumed claim means an earlier attempt may have submitted already: find its replacement, never submit twice.
    const earlier = claim.resumed ? await deps.jobs.findReplacement(job) : undefined;
    replacementJobId = earlier;
    if (!replacementJobId) {
      // Renew right before the irreversible step: if another attempt took the claim over, this one stops here.
      const fence = await deps.ledger.renew(ticket);
      if (!fence) return { reaction, status: 'duplicate', note: 'another attempt holds the claim now' };
      const answers = reaction.changes.reduce((max, c) => Math.max(max, c.changedAt), Number.NEGATIVE_INFINITY);
      replacementJobId = await deps.actions.submitReplacement(job, {
        lineage: { replaces: job.jobId, answers },
        fence,
      });
    }
    const note = await terminateReplaced(reaction, job, replacementJobId, deps, options, !!earlier);
    await deps.ledger.complete(ticket, { replacementJobId, note });
    return { reaction, status: 'applied', replacementJobId, note };
  } catch (error) {
    const message = describeError(error);
    if (error instanceof FencedOutError && replacementJobId) {
      // Submitted and terminated, then another attempt took the claim over (it finds this replacement).
      return { reaction, status: 'applied', replacementJobId, note: `submitted; ${message}` };
    }
    // A fence stops a submission that might race another attempt (FencedOutError): nothing left the process, so
    // failing the claim and retrying the trigger later is safe.
    if (!replacementJobId && !isRetryable(error) && !(error instanceof FencedOutError)) {
      // Batch refused the copy: nothing was submitted and the same request would be refused again. The job
      // stays stale: flag it so it is in the inventory for an operator.
      await recordFailure(deps, ticket, message, true);
      const flagged = await applyFlag({ ...reaction, action: 'flag', reason: 'resubmit-refused' }, job, deps);
      return { reaction, status: 'refused', error: message, note: flagged.note ?? flagged.error };
    }
    await recordFailure(deps, ticket, message);
    return { reaction, status: 'failed', replacementJobId, error: message };
  }
}

/** Terminates the replaced job (submit first, then terminate: a crash in between leaves two jobs, never zero). */
async function terminateReplaced(
  reaction: Reaction,
  job: BatchJob,
  replacementJobId: string,
  deps: ApplyDeps,
  options: ApplyOptions,
  earlier: boolean,
): Promise<string> {
  const done = earlier ? 'found the replacement of an earlier attempt' : 'submitted and terminated';
  if (options.terminate === false) return earlier ? done : 'submitted (the job had already failed)';
  try {
    await deps.actions.terminate(job.jobId, toTerminateReason(reaction, replacementJobId));
  } catch (error) {
    // Refused (the job is gone or already ended): the copy stands; retrying cannot help.
    if (isRetryable(error)) throw error;
    return `${done}; terminate refused: ${describeError(error)}`;
  }
  return done;
}

/** What a set of outcomes amounts to: the counts output events, metrics and the CLI report. */
export interface OutcomeCounts {
  /** Flags applied (`flag` and `resubmit-on-failure`), and resubmissions applied. */
  readonly flagged: number;
  readonly resubmitted: number;
  readonly duplicates: number;
  readonly failed: number;
  readonly refused: number;
  readonly deferred: number;
  /** Held by dry-run. */
  readonly planned: number;
}

/** Tallies outcomes once, the same way for every consumer. */
export function toOutcomeCounts(outcomes: readonly ReactionOutcome[]): OutcomeCounts {
  const counts = { flagged: 0, resubmitted: 0, duplicates: 0, failed: 0, refused: 0, deferred: 0, planned: 0 };
  for (const { status, reaction } of outcomes) {
    if (status === 'applied' && reaction.action === 'resubmit') counts.resubmitted++;
    else if (status === 'applied') counts.flagged++;
    else if (status === 'duplicate') counts.duplicates++;
    else if (status === 'dry-run') counts.planned++;
    else counts[status]++;
  }
  return counts;
}
