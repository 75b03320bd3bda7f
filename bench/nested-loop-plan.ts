/**
 * The straightforward matcher the plan benchmark compares against: every change against every reference of every
 * definition revision in use (`namesResource` + `readsWhatMoved`), then the staleness of each job. No index.
 */
import type { Change } from '../lib/core/change';
import { coalesceChanges } from '../lib/core/coalesce';
import type { FleetView, PlanOptions } from '../lib/core/decision';
import { type LocatedReference, toDefinitionReferences } from '../lib/core/locations';
import { readsWhatMoved } from '../lib/core/match';
import { namesResource } from '../lib/core/reference';
import { toFreshness } from '../lib/core/staleness';

/** The ids of the jobs holding a value the changes replaced. */
export function toStaleJobIdsByNestedLoop(
  changes: readonly Change[],
  fleet: FleetView,
  options: Pick<PlanOptions, 'staleMarginMs'>,
): Set<string> {
  const definitions = new Map(fleet.definitions.map((d) => [d.jobDefinitionArn, d]));
  const referencesOf = new Map<string, readonly LocatedReference[]>();
  for (const job of fleet.jobs) {
    const definition = definitions.get(job.jobDefinition);
    if (definition && !referencesOf.has(definition.jobDefinitionArn)) {
      referencesOf.set(definition.jobDefinitionArn, toDefinitionReferences(definition, fleet.home));
    }
  }
  const reading = new Map<string, Change[]>();
  for (const change of coalesceChanges(changes)) {
    for (const [owner, located] of referencesOf) {
      for (const { reference } of located) {
        if (reference.kind === 'invalid') continue;
        if (namesResource(reference, change.resource) && readsWhatMoved(reference, change.effect)) {
          reading.set(owner, [...(reading.get(owner) ?? []), change]);
          break;
        }
      }
    }
  }
  const stale = new Set<string>();
  for (const job of fleet.jobs) {
    const reached = reading.get(job.jobDefinition) ?? [];
    if (reached.some((change) => toFreshness(job, change.changedAt, options.staleMarginMs) === 'stale')) {
      stale.add(job.jobId);
    }
  }
  return stale;
}
