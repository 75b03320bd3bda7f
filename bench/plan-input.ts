/** The plan micro-benchmark's input: many definition revisions and jobs carrying 100,000 references, 1,000 changes. */
import { type Change, parseChange } from '../lib/core/change';
import type { FleetView } from '../lib/core/decision';
import type { BatchJob } from '../lib/core/fleet';
import { toDefinitionReferences } from '../lib/core/locations';
import { generateFleet } from '../lib/sandbox/fleet-generator';
import { createRandom } from '../lib/sandbox/random';
import { toChangeEvent } from './events';
import { BENCH_NOW } from './fleet';

/** Changes and the fleet view they are planned against. */
export interface PlanInput {
  readonly changes: readonly Change[];
  readonly view: FleetView;
  readonly references: number;
}

/** Builds a view whose revisions in use carry at least `references` references, one job per revision. */
export function toPlanInput(seed: number, references = 100_000, changeCount = 1000): PlanInput {
  const { fleet, parameters, secrets } = generateFleet({
    queues: 10,
    definitions: Math.ceil(references / 2),
    liveJobs: 0,
    parameters: Math.ceil(changeCount * 1.2),
    secrets: Math.ceil(changeCount * 0.8),
    now: BENCH_NOW,
    seed,
  });
  const home = { partition: 'aws', region: fleet.region, account: fleet.account };
  const random = createRandom(seed + 2);
  let counted = 0;
  const definitions = [];
  for (const definition of fleet.jobDefinitions) {
    if (counted >= references) break;
    counted += toDefinitionReferences(definition, home).length;
    definitions.push(definition);
  }
  const jobs: BatchJob[] = definitions.map((definition, i) => ({
    jobId: `job-${i}`,
    jobArn: `arn:aws:batch:${fleet.region}:${fleet.account}:job/job-${i}`,
    jobName: `${definition.jobDefinitionName}-run-${i}`,
    jobQueue: fleet.jobQueues[i % fleet.jobQueues.length].jobQueueArn,
    jobDefinition: definition.jobDefinitionArn,
    status: random() < 0.05 ? 'STARTING' : 'RUNNING',
    createdAt: BENCH_NOW - 7 * 3_600_000,
    startedAt: BENCH_NOW - Math.floor(random() * 6 * 3_600_000),
  }));
  const parameterChanges = Math.round(changeCount * 0.6);
  const resources = [...parameters.slice(0, parameterChanges), ...secrets.slice(0, changeCount - parameterChanges)];
  const isParameter = new Set(parameters);
  const changes = resources.flatMap((resource) => {
    const kind = !isParameter.has(resource) ? 'secret-awscurrent' : random() < 0.1 ? 'ssm-label' : 'ssm-update';
    const parsed = parseChange(toChangeEvent(kind, resource, BENCH_NOW - 30 * 60_000, fleet, random));
    if (!parsed.ok) throw new Error(`generated event rejected: ${parsed.reason}`);
    return parsed.changes;
  });
  return { changes, view: { home, queues: fleet.jobQueues, definitions, jobs }, references: counted };
}
