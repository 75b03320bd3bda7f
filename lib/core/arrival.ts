/**
 * Trust in event times: a change time later than the event's arrival (plus a small skew) is not believable, and
 * would make every running job reading the resource look stale. Such changes are rejected with a reason.
 */
import type { Rejection, SourcedChange } from './parse-events';

/** Keeps the changes that happened before they arrived (give or take `maxSkewMs`); rejects the others. */
export function rejectFutureChanges(
  changes: readonly SourcedChange[],
  arrivedAt: (source: string) => number | undefined,
  maxSkewMs: number,
): { changes: SourcedChange[]; rejected: Rejection[] } {
  const kept: SourcedChange[] = [];
  const rejected: Rejection[] = [];
  for (const sourced of changes) {
    const arrival = arrivedAt(sourced.source);
    if (arrival === undefined || sourced.change.changedAt <= arrival + maxSkewMs) {
      kept.push(sourced);
      continue;
    }
    rejected.push({
      source: sourced.source,
      reason: `change time ${new Date(sourced.change.changedAt).toISOString()} is later than the event's arrival (${new Date(arrival).toISOString()}) plus ${Math.round(maxSkewMs / 1000)} s`,
    });
  }
  return { changes: kept, rejected };
}
