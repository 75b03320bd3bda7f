/**
 * The sweep: metadata-only reconciliation for changes whose events never arrived (Parameter Store and CloudTrail
 * events are best-effort). It asks when each resource the live jobs read last changed and feeds that to the same
 * pipeline as an event would.
 */
import type { Change } from './change';
import { type Discovered, discoverFleet, toFleetView } from './discover';
import { findStaleJobs, type StaleSearch } from './find-stale';
import { toChangeKey } from './keys';
import { type LocatedReference, toDefinitionReferences, toJobReferences } from './locations';
import type { SourcedChange } from './parse-events';
import type { MetadataSource, ResourceMetadata } from './ports';
import { decideAndApply, type ReactDeps, type ReactOptions, type RunReport } from './react';
import { reconcileExpiredClaims } from './reconcile';
import { type Home, type Resource, toResourceKey } from './reference';

/** What one sweep did: the run, how many resources it asked about, and which it could not ask about. */
export interface SweepReport {
  readonly report: RunReport;
  readonly resources: number;
  readonly notSwept: readonly { resource: string; why: string }[];
}

/** The ports of a sweep: those of a run plus the metadata reader. */
export type SweepDeps = ReactDeps & { readonly metadata: MetadataSource };

/** Distinct resources read by valid references of the live jobs' definitions (a job's own spec when unknown). */
export function toSweptResources(discovered: Discovered, home: Home): Resource[] {
  const definitions = new Map(discovered.definitions.map((d) => [d.jobDefinitionArn, d]));
  const owners = new Map<string, readonly LocatedReference[]>();
  for (const job of discovered.live) {
    const definition = definitions.get(job.jobDefinition);
    const owner = definition ? definition.jobDefinitionArn : `job:${job.jobId}`;
    if (owners.has(owner)) continue;
    owners.set(owner, definition ? toDefinitionReferences(definition, home) : toJobReferences(job, home));
  }
  const resources = new Map<string, Resource>();
  for (const located of owners.values()) {
    for (const { reference } of located) {
      if (reference.kind === 'invalid') continue;
      const { partition, region, account } = reference;
      // A referenced id that looks like `name-XXXXXX` may still be a plain name: completeness is not known here.
      const resource: Resource =
        reference.kind === 'ssm'
          ? { kind: 'ssm', partition, region, account, name: reference.name }
          : { kind: 'secret', partition, region, account, secretId: reference.secretId, complete: false };
      const key = toResourceKey(resource);
      if (!resources.has(key)) resources.set(key, resource);
    }
  }
  return [...resources.values()];
}

/** One synthetic change per described resource: its value changed at its last change time, or it is gone. */
export function toSweepChanges(metadata: readonly ResourceMetadata[], now: number): SourcedChange[] {
  const changes: SourcedChange[] = [];
  for (const { resource, exists, lastChangedAt, version } of metadata) {
    const changedAt = exists ? lastChangedAt : now;
    if (changedAt === undefined) continue;
    const key = toResourceKey(resource);
    const change: Change = {
      service: resource.kind === 'ssm' ? 'ssm' : 'secretsmanager',
      kind: exists ? 'Sweep/last-modified' : 'Sweep/missing',
      resource,
      effect: exists ? { kind: 'value-changed' } : { kind: 'deleted' },
      changedAt,
      eventId: `sweep:${key}`,
      ...(exists && version !== undefined ? { version } : {}),
    };
    changes.push({ source: `sweep:${key}`, change });
  }
  return changes;
}

/**
 * Discovers the live fleet, reads the metadata of every resource it references and reacts as if an event had
 * reported each last change. Blind spots: label moves (no metadata says when an SSM label or a custom secret stage
 * moved, nor when AWSCURRENT was moved back to an older version), and resources in another region or account (the
 * metadata clients are the home region's; those are returned in `notSwept`).
 */
export async function sweep(deps: SweepDeps, options: ReactOptions): Promise<SweepReport> {
  // Claims a crash left behind on jobs that have since ended: no plan reaches those jobs again.
  if (options.mode === 'apply') await reconcileExpiredClaims(deps);
  const discovered = await discoverFleet(deps.jobs, { onProgress: options.onProgress });
  const resources = toSweptResources(discovered, options.home);
  options.onProgress?.('sweep', 0, resources.length);
  const { found, failed } = await deps.metadata.describe(resources);
  options.onProgress?.('sweep', resources.length, resources.length);
  const changes = toSweepChanges(found, deps.clock());
  const view = toFleetView(discovered, options.home);
  // Metadata has no notion of "new": keep only the changes some live job is stale for, so a quiet sweep emits
  // no Change Processed event per referenced resource every run.
  const search = toRelevantSearch(
    findStaleJobs(
      changes.map((c) => c.change),
      view,
      options.plan,
    ),
  );
  const relevant = new Set(search.changes.map((change) => change.key));
  const report = await decideAndApply(
    search,
    view,
    changes.filter((c) => relevant.has(toChangeKey(c.change))),
    [],
    deps,
    options,
  );
  return {
    report,
    resources: resources.length,
    notSwept: failed.map((f) => ({ resource: toResourceKey(f.resource), why: f.why })),
  };
}

/** The search restricted to the changes some job is stale for (skips keep only those changes). */
function toRelevantSearch(search: StaleSearch): StaleSearch {
  const keys = new Set(search.candidates.flatMap((c) => c.changes.map((change) => change.key)));
  return {
    ...search,
    changes: search.changes.filter((change) => keys.has(change.key)),
    candidates: search.candidates.map((c) => ({ ...c, reaching: c.reaching.filter((key) => keys.has(key)) })),
    skipped: search.skipped.flatMap((ranked) => {
      // A job without a known definition is reported whatever the changes are.
      if (ranked.skip.reason === 'definition-unknown') return [ranked];
      const changes = ranked.skip.changes.filter((key) => keys.has(key));
      return changes.length === 0 ? [] : [{ ...ranked, skip: { ...ranked.skip, changes } }];
    }),
  };
}
