/**
 * Discovery (DESIGN.md "Discovery"): queues, live jobs, then the definition revisions they use. Cost grows with the
 * live jobs, not with the job definitions of the account.
 */
import type { Change } from './change';
import type { FleetView } from './decision';
import type { BatchJob } from './fleet';
import { toDefinitionReferences } from './locations';
import { createReferenceIndex } from './match';
import type { JobSource } from './ports';
import type { Home } from './reference';

/** The live part of the fleet, as discovery found it. */
export interface Discovered {
  readonly queues: FleetView['queues'];
  readonly live: FleetView['jobs'];
  readonly definitions: FleetView['definitions'];
}

/** Reports progress of long runs (CLI progress bars, logs). */
export type ProgressListener = (step: string, done: number, total: number) => void;

/**
 * Lists queues and live jobs, then the definition revisions they use (cached by the reader). With `changes`, the
 * children of an array job are listed only when a change reaches its definition: two calls per array would
 * otherwise grow with every array job in the account.
 */
export async function discoverFleet(
  jobs: JobSource,
  options: { onProgress?: ProgressListener; changes?: readonly Change[]; home?: Home } = {},
): Promise<Discovered> {
  const onProgress = options.onProgress ?? (() => {});
  onProgress('discover', 0, 3);
  const queues = await jobs.listQueues();
  const { changes, home } = options;
  const selectArrays =
    changes && home
      ? async (parents: readonly BatchJob[]) => {
          const definitions = await jobs.getDefinitions([...new Set(parents.map((p) => p.jobDefinition))]);
          const index = createReferenceIndex(
            definitions.map((d) => [d.jobDefinitionArn, toDefinitionReferences(d, home)] as const),
          );
          const reached = new Set(changes.flatMap((change) => index.hitsOf(change).map((hit) => hit.owner)));
          return parents.filter((p) => reached.has(p.jobDefinition));
        }
      : undefined;
  const live = await jobs.listLiveJobs(queues, selectArrays);
  onProgress('discover', 1, 3);
  const definitions = await jobs.getDefinitions([...new Set(live.map((j) => j.jobDefinition))]);
  onProgress('discover', 2, 3);
  return { queues, live, definitions };
}

/** The decision's view of a discovered fleet. */
export function toFleetView(discovered: Discovered, home: Home): FleetView {
  return { home, queues: discovered.queues, definitions: discovered.definitions, jobs: discovered.live };
}
