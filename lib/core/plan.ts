/**
 * The whole decision on a fleet that already carries job details (a snapshot, a test fleet): stage 1
 * (`findStaleJobs`) then stage 2 (`decideReactions`) with the fleet's own jobs as details. Pure.
 */
import type { Change } from './change';
import { decideReactions } from './decide';
import type { FleetView, Plan, PlanOptions } from './decision';
import { findStaleJobs } from './find-stale';

/** Decides what happens to every job the changes reach. Each stale job appears once, however many changes reach it. */
export function plan(changes: readonly Change[], fleet: FleetView, options: PlanOptions): Plan {
  const search = findStaleJobs(changes, fleet, options);
  const details = new Map(fleet.jobs.map((job) => [job.jobId, job]));
  return decideReactions(search, { fleet, details }, options);
}
