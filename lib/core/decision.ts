/**
 * The vocabulary of a decision: what happens to a stale job (a reaction), why a job the changes reach gets nothing
 * (a skip), and the fleet and knobs a decision reads. `findStaleJobs` and `decideReactions` produce these.
 */
import type { BatchJob, BatchJobDefinition, BatchJobQueue } from './fleet';
import type { ChangeKey } from './keys';
import type { Policy, PolicySource } from './policy';
import type { Home } from './reference';
import type { SubmitScope } from './submit-scope';

/** What the reactor does to a stale job. */
export type Action = 'flag' | 'resubmit' | 'resubmit-on-failure';

/**
 * Why a job got its action: `stale`; `deleted` (a deletion never resubmits: the copy could not start);
 * `definition-inactive` (Batch refuses SubmitJob on a deregistered revision, and another revision would not be a
 * faithful copy); `blast-radius` (over the change's cap); `not-permitted` (outside the queues and definitions the
 * deployment may submit to); `too-many-tags` (the copy's tags with its lineage would exceed 50);
 * `failed-after-flag` (flagged `resubmit-on-failure`, then failed); `resubmit-refused` (Batch refused the copy).
 */
export type ReactionReason =
  | 'stale'
  | 'deleted'
  | 'definition-inactive'
  | 'blast-radius'
  | 'not-permitted'
  | 'too-many-tags'
  | 'failed-after-flag'
  | 'resubmit-refused'
  | 'has-dependents';

/** Why a job the changes reach gets no action. */
export type SkipReason =
  | 'started-after-change'
  | 'not-started'
  | 'finished'
  | 'pinned'
  | 'policy-ignore'
  | 'definition-unknown'
  | 'is-replacement';

/** A reference that put a job in the plan. */
export interface ReactionReference {
  readonly valueFrom: string;
  readonly location: string;
  /** `name` when the secret was matched by its name alone (the event or the reference has no complete ARN). */
  readonly matchedBy?: 'name';
}

/** The change side of a reaction, enough for ledger keys, events and reports. */
export interface ChangeSummary {
  readonly key: ChangeKey;
  readonly kind: string;
  readonly resource: string;
  readonly effect: string;
  readonly changedAt: number;
}

/** One stale job and what to do about it. */
export interface Reaction {
  readonly jobId: string;
  readonly jobArn?: string;
  readonly jobName: string;
  readonly jobQueue: string;
  readonly jobDefinition: string;
  readonly status: string;
  readonly startedAt?: number;
  readonly action: Action;
  readonly reason: ReactionReason;
  readonly policy: Policy;
  readonly policySource: PolicySource;
  /** Earliest change time that made the job stale. */
  readonly staleSince: number;
  readonly changes: readonly ChangeSummary[];
  readonly references: readonly ReactionReference[];
  /** For an array parent or a multi-node main job acting for stale children or nodes: those children. */
  readonly childJobIds?: readonly string[];
  /** For a resubmission: the change whose blast-radius budget it is charged to, and how many jobs it restarts. */
  readonly budget?: { readonly change: ChangeKey; readonly weight: number };
}

/** A job the changes reach that gets no action, and why. */
export interface Skip {
  readonly jobId: string;
  readonly jobName: string;
  readonly reason: SkipReason;
  readonly changes: readonly ChangeKey[];
}

/** A reference the reactor could not parse; the job still runs, so it is reported, not dropped. */
export interface InvalidReferenceReport {
  readonly owner: string;
  readonly location: string;
  readonly valueFrom: string;
  readonly reason: string;
}

/** Per-change counts for `Change Processed` events. */
export interface ChangeOutcome {
  readonly change: ChangeSummary;
  readonly referencingJobs: number;
  readonly staleJobs: number;
}

/** The fleet as plan needs it. */
export interface FleetView {
  readonly home: Home;
  readonly queues: readonly BatchJobQueue[];
  readonly definitions: readonly BatchJobDefinition[];
  readonly jobs: readonly BatchJob[];
}

/** Knobs of the decision. */
export interface PlanOptions {
  readonly defaultPolicy: Policy;
  /** A RUNNING job that started up to this long after a change still counts as stale. */
  readonly staleMarginMs: number;
  /** Jobs restarted by resubmissions for one change, across runs; beyond it, flags with reason `blast-radius`. */
  readonly maxResubmitsPerChange: number;
  /** Where resubmissions may be submitted (the deployment's IAM scope); default anywhere. */
  readonly submitScope?: SubmitScope;
}

/** The plan: reactions, skips, per-change counts, and what could not be read. */
export interface Plan {
  readonly changes: readonly ChangeSummary[];
  readonly reactions: readonly Reaction[];
  readonly skipped: readonly Skip[];
  readonly outcomes: readonly ChangeOutcome[];
  readonly invalidReferences: readonly InvalidReferenceReport[];
  readonly warnings: readonly string[];
}

/** Default knobs: flag, a 60 s margin, at most 25 jobs resubmitted per change. */
export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  defaultPolicy: 'flag',
  staleMarginMs: 60_000,
  maxResubmitsPerChange: 25,
};
