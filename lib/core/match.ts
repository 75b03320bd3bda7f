/** Which references a change reaches: same resource, and the reference reads what moved. */
import type { Change, Effect } from './change';
import type { LocatedReference } from './locations';
import {
  type NamedBy,
  type SecretReference,
  type SsmReference,
  toIndexKeys,
  toLookupKeys,
  toNamedBy,
} from './reference';

// When AWSCURRENT moves to a new version, Secrets Manager moves AWSPREVIOUS to the version AWSCURRENT left, and
// publishes no event for AWSPREVIOUS: a reference pinned to it reads a different value after every value change.
const STAGES_MOVED_BY_A_NEW_VALUE = new Set(['AWSCURRENT', 'AWSPREVIOUS']);

/**
 * True when a reference to the changed resource reads what the effect moved: unpinned / AWSCURRENT / AWSPREVIOUS references
 * for value changes, a label-pinned reference only when that label moves, version pins never. A deletion reaches every
 * reference (none can be resolved again).
 */
export function readsWhatMoved(reference: SsmReference | SecretReference, effect: Effect): boolean {
  switch (effect.kind) {
    case 'none':
      return false;
    case 'deleted':
      return true;
    case 'value-changed':
      return reference.kind === 'ssm'
        ? reference.selector === undefined
        : reference.versionId === undefined && STAGES_MOVED_BY_A_NEW_VALUE.has(reference.versionStage ?? 'AWSCURRENT');
    case 'label-moved':
      return reference.kind === 'ssm'
        ? reference.selector?.kind === 'label' && reference.selector.label === effect.label
        : reference.versionId === undefined && reference.versionStage === effect.label;
  }
}

/** A reference of some owner (a definition revision or a job) that names a changed resource. */
export interface Hit<Owner> {
  readonly owner: Owner;
  readonly located: LocatedReference;
  /** False when the reference is pinned to something the change did not move. */
  readonly reads: boolean;
  /**
   * `name` when a secret was matched by its name alone (the event or the reference has no complete ARN, e.g. an event
   * that names the secret only by name): a plan should say so. `arn` when the match is exact.
   */
  readonly by: NamedBy;
}

/** A hash index from resource keys to the references that may name them; one lookup per change, no nested scan. */
export interface ReferenceIndex<Owner> {
  /** The references naming the change's resource, each marked with whether it reads what moved. */
  hitsOf(change: Change): Hit<Owner>[];
}

/** Builds the index over every owner's valid references (invalid ones are reported elsewhere). */
export function createReferenceIndex<Owner>(
  owners: Iterable<readonly [Owner, readonly LocatedReference[]]>,
): ReferenceIndex<Owner> {
  const byKey = new Map<string, { owner: Owner; located: LocatedReference }[]>();
  for (const [owner, references] of owners) {
    for (const located of references) {
      if (located.reference.kind === 'invalid') continue;
      for (const key of toIndexKeys(located.reference)) {
        const bucket = byKey.get(key);
        if (bucket) bucket.push({ owner, located });
        else byKey.set(key, [{ owner, located }]);
      }
    }
  }
  return {
    hitsOf(change) {
      const seen = new Set<LocatedReference>();
      const hits: Hit<Owner>[] = [];
      for (const key of toLookupKeys(change.resource)) {
        for (const entry of byKey.get(key) ?? []) {
          const reference = entry.located.reference;
          if (seen.has(entry.located) || reference.kind === 'invalid') continue;
          seen.add(entry.located);
          const by = toNamedBy(reference, change.resource);
          if (by === undefined) continue;
          hits.push({ ...entry, reads: readsWhatMoved(reference, change.effect), by });
        }
      }
      return hits;
    },
  };
}
