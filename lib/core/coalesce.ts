/** Storm absorption: many events for one resource and effect become one change (the newest wins). */
import type { Change, Effect } from './change';
import { toResourceKey } from './reference';

/** The text of an effect, e.g. `value-changed`, `label-moved:BLUE`. */
export function toEffectKey(effect: Effect): string {
  return effect.kind === 'label-moved' ? `label-moved:${effect.label}` : effect.kind;
}

/** A stable key for one change: resource, effect and time. Ledger claims and output events use it. */
export function toChangeKey(change: Change): string {
  return `${toResourceKey(change.resource)}|${toEffectKey(change.effect)}|${new Date(change.changedAt).toISOString()}`;
}

/** Keeps one change per resource + effect (the newest), dropping changes whose effect is `none`. */
export function coalesceChanges(changes: readonly Change[]): Change[] {
  const newest = new Map<string, Change>();
  for (const change of changes) {
    if (change.effect.kind === 'none') continue;
    const key = `${toResourceKey(change.resource)}|${toEffectKey(change.effect)}`;
    const kept = newest.get(key);
    if (!kept || change.changedAt > kept.changedAt) newest.set(key, change);
  }
  return [...newest.values()];
}
