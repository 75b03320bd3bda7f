/** The output events of a run (source `rotation-reactor`): one `Change Processed` per change, one per job action. */
import { type ReactionOutcome, toOutcomeCounts } from './apply';
import type { Plan } from './decision';
import { type ChangeKey, parseChangeKey, type SubjectKey, toEffectKey, toSubjectKey } from './keys';
import type { SourcedChange } from './parse-events';
import type { OutputEvent } from './ports';
import { toResourceArn, toResourceKey } from './reference';

/** The output events of a run: one `Change Processed` per change, one event per applied or failed action. */
export function toOutputEvents(
  changes: readonly SourcedChange[],
  decided: Plan,
  outcomes: readonly ReactionOutcome[],
): OutputEvent[] {
  const events: OutputEvent[] = [];
  const seen = new Set<SubjectKey>();
  const subjectOf = (key: ChangeKey) => parseChangeKey(key)?.subject;
  // Indexed once by subject: looking them up per change made 100,000 changes take minutes.
  const reachingBySubject = groupBy(outcomes, (o) => o.reaction.changes.map((c) => subjectOf(c.key)));
  const countedBySubject = new Map<SubjectKey | undefined, Plan['outcomes'][number]>();
  for (const o of decided.outcomes) {
    const subject = subjectOf(o.change.key);
    if (!countedBySubject.has(subject)) countedBySubject.set(subject, o);
  }
  const skippedBySubject = new Map<SubjectKey | undefined, Record<string, number>>();
  for (const skip of decided.skipped) {
    for (const subject of new Set(skip.changes.map(subjectOf))) {
      const counts = skippedBySubject.get(subject) ?? {};
      counts[skip.reason] = (counts[skip.reason] ?? 0) + 1;
      skippedBySubject.set(subject, counts);
    }
  }
  for (const { change } of changes) {
    const subject = toSubjectKey(change);
    if (seen.has(subject)) continue;
    seen.add(subject);
    const reaching = reachingBySubject.get(subject) ?? [];
    const counted = countedBySubject.get(subject);
    const skipped: Record<string, number> = { ...skippedBySubject.get(subject) };
    const tally = toOutcomeCounts(reaching);
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
          flagged: tally.flagged,
          resubmitted: tally.resubmitted,
          duplicates: tally.duplicates,
          failed: tally.failed,
          refused: tally.refused,
          deferred: tally.deferred,
          planned: tally.planned,
          skipped,
        },
      },
    });
  }
  events.push(...toActionEvents(outcomes));
  return events;
}

/** One event per applied or failed job action: `Job Resubmitted`, `Stale Job Flagged` or `Job Action Failed`. */
export function toActionEvents(outcomes: readonly ReactionOutcome[]): OutputEvent[] {
  return outcomes.flatMap((outcome): OutputEvent[] => {
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
    if (outcome.status === 'failed' || outcome.status === 'refused') {
      const detail = { ...base, status: outcome.status, error: outcome.error, note: outcome.note };
      return [{ detailType: 'Job Action Failed', resources, detail }];
    }
    if (outcome.status === 'applied' && reaction.action === 'resubmit') {
      const detail = {
        ...base,
        replacementJobId: outcome.replacementJobId,
        childJobIds: reaction.childJobIds,
        budget: reaction.budget,
        note: outcome.note,
      };
      return [{ detailType: 'Job Resubmitted', resources, detail }];
    }
    if (outcome.status === 'applied') {
      return [{ detailType: 'Stale Job Flagged', resources, detail: { ...base, note: outcome.note } }];
    }
    return [];
  });
}

function groupBy<T, K>(items: readonly T[], keys: (item: T) => readonly K[]): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    for (const key of new Set(keys(item))) {
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
  }
  return groups;
}
