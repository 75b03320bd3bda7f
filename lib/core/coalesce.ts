/** Storm absorption: many events for one resource and effect become one change (the newest wins). */
import type { Change } from './change';
import { type SubjectKey, toSubjectKey } from './keys';

/** Keeps one change per resource + effect (the newest), dropping changes whose effect is `none`. */
export function coalesceChanges(changes: readonly Change[]): Change[] {
  const newest = new Map<SubjectKey, Change>();
  for (const change of changes) {
    if (change.effect.kind === 'none') continue;
    const key = toSubjectKey(change);
    const kept = newest.get(key);
    if (!kept || change.changedAt > kept.changedAt) newest.set(key, change);
  }
  return [...newest.values()];
}
