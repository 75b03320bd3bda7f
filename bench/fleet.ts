/** The benchmark fleet: the sandbox fleet generator at one of the benchmark's scales. */
import { type GeneratedFleet, generateFleet } from '../lib/sandbox/fleet-generator';
import { SCALES, type Scale } from './options';

/** Sandbox time of the benchmark: the storm happens in the ten minutes before it. */
export const BENCH_NOW = Date.parse('2026-11-28T13:00:00Z');

/** A tenth of live jobs still run on a revision deregistered since they were submitted. */
const INACTIVE_JOB_SHARE = 0.1;

/** Generates the fleet of a scale: every reference form and location, queued jobs beside the live ones. */
export function toBenchFleet(scale: Scale, seed: number): GeneratedFleet {
  const shape = SCALES[scale];
  return generateFleet({
    ...shape,
    queuedJobs: Math.round(shape.liveJobs / 10),
    inactiveJobShare: INACTIVE_JOB_SHARE,
    now: BENCH_NOW,
    seed,
  });
}

/** Counts of a fleet, for the report. */
export interface FleetFigures {
  readonly queues: number;
  readonly revisions: number;
  readonly activeRevisions: number;
  readonly liveJobs: number;
  readonly liveJobsOnInactiveRevisions: number;
  /** PENDING array parents, whose children are among the live jobs. */
  readonly arrayParents: number;
  /** SUBMITTED / RUNNABLE jobs. */
  readonly queuedJobs: number;
  readonly parameters: number;
  readonly secrets: number;
}

/** Summarises a generated fleet. */
export function toFleetFigures({ fleet, parameters, secrets }: GeneratedFleet): FleetFigures {
  const inactive = new Set(fleet.jobDefinitions.filter((d) => d.status === 'INACTIVE').map((d) => d.jobDefinitionArn));
  const live = fleet.jobs.filter((j) => j.status === 'RUNNING' || j.status === 'STARTING');
  return {
    queues: fleet.jobQueues.length,
    revisions: fleet.jobDefinitions.length,
    activeRevisions: fleet.jobDefinitions.length - inactive.size,
    liveJobs: live.length,
    liveJobsOnInactiveRevisions: live.filter((j) => inactive.has(j.jobDefinition)).length,
    arrayParents: fleet.jobs.filter((j) => j.status === 'PENDING' && j.arrayProperties?.size).length,
    queuedJobs: fleet.jobs.filter((j) => j.status === 'SUBMITTED' || j.status === 'RUNNABLE').length,
    parameters: parameters.length,
    secrets: secrets.length,
  };
}
