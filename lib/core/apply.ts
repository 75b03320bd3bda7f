/**
 * Applying a decision: for each reaction, a conditional claim in the ledger, then the action (tag, or submit a
 * faithful copy then terminate), then its outcome in the ledger. Nothing here decides; it carries out.
 */
import type { Plan, Reaction } from './decision';
import { describeError } from './errors';
import type { BatchJob } from './fleet';
import { type ChangeKey, parseChangeKey, RESUBMIT, type SubjectKey, toFlagSlot, toSlotName } from './keys';
import type { Clock, Emitter, JobActions, JobSource, Ledger } from './ports';

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

/** The ports an apply needs. */
export interface ApplyDeps {
  readonly jobs: JobSource;
  readonly actions: JobActions;
  readonly ledger: Ledger;
  readonly emitter: Emitter;
  readonly clock: Clock;
}

/** Applies every reaction of a decision (or reports it, in dry-run and kill-switch modes). */
export async function applyReactions(
  decided: Plan,
  details: ReadonlyMap<string, BatchJob>,
  deps: ApplyDeps,
  options: { readonly mode: Mode; readonly onProgress?: (step: string, done: number, total: number) => void },
): Promise<ReactionOutcome[]> {
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

async function applyReaction(reaction: Reaction, job: BatchJob, deps: ApplyDeps): Promise<ReactionOutcome> {
  const first = reaction.changes.reduce((a, b) => (b.changedAt < a.changedAt ? b : a));
  // A job is resubmitted at most once, whatever change asks. A flag is per resource and effect, not per event
  // time: a later event or a sweep about the same change does not flag the job again.
  const slot = toSlotName(reaction.action === 'resubmit' ? RESUBMIT : toFlagSlot(toSubject(first.key)));
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
    await deps.actions.terminate(job.jobId, toTerminateReason(reaction, replacementJobId));
    const note = earlier ? 'found the replacement of an earlier attempt' : 'submitted and terminated';
    await deps.ledger.complete(reaction.jobId, slot, { replacementJobId, note });
    return { reaction, status: 'applied', replacementJobId, note };
  } catch (error) {
    const message = describeError(error);
    await deps.ledger.fail(reaction.jobId, slot, message).catch(() => undefined);
    return { reaction, status: 'failed', error: message };
  }
}
