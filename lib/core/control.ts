/**
 * Operator control without a redeploy: the control record (pause, dry-run, the blast-radius cap) read at every
 * invocation, over the deployment's defaults. Pure.
 */
import type { Mode } from './apply';
import type { ControlRecord } from './ports';

/** The deployment's defaults (environment variables). */
export interface ControlDefaults {
  readonly paused: boolean;
  readonly mode: Mode;
  readonly maxResubmitsPerChange: number;
}

/** What an invocation runs with, and where each value came from. */
export interface RunControl {
  readonly paused: boolean;
  readonly mode: Mode;
  readonly maxResubmitsPerChange: number;
  /** The record's fields that override the defaults, and who set them when; undefined without a record. */
  readonly record?: ControlRecord;
}

/** The record's fields win over the defaults; a missing record (or field) leaves the default. */
export function toRunControl(defaults: ControlDefaults, record: ControlRecord | undefined): RunControl {
  return {
    paused: record?.paused ?? defaults.paused,
    mode: record?.dryRun === undefined ? defaults.mode : record.dryRun ? 'dry-run' : 'apply',
    maxResubmitsPerChange: record?.maxResubmitsPerChange ?? defaults.maxResubmitsPerChange,
    ...(record ? { record } : {}),
  };
}

/** One line saying who paused the reactor, when and why (for refusals and logs). */
export function toPausedReason(control: RunControl): string {
  const record = control.record;
  if (!record?.paused) return 'paused by the deployment (REACTOR_PAUSED / the paused parameter)';
  const why = record.reason ? `: ${record.reason}` : '';
  return `paused by ${record.updatedBy} at ${new Date(record.updatedAt).toISOString()}${why}`;
}
