/**
 * What the use case needs from the outside world. Adapters in lib/adapters implement these over the AWS SDK;
 * tests and the CLI may pass other implementations.
 */

import type { Reaction } from './decision';
import type { BatchJob, BatchJobDefinition, BatchJobQueue } from './fleet';
import type { Resource } from './reference';

/** Reads the fleet, job-centrically: cost grows with live jobs, not with job definitions. */
export interface JobSource {
  /** Queues in scope (configured or all), without SageMaker service-job queues. */
  listQueues(): Promise<BatchJobQueue[]>;
  /**
   * RUNNING and STARTING jobs of the queues (summaries), plus the live children of the array jobs `selectArrays`
   * keeps among the PENDING array parents (default: all of them).
   */
  listLiveJobs(
    queues: readonly BatchJobQueue[],
    selectArrays?: (parents: readonly BatchJob[]) => Promise<readonly BatchJob[]>,
  ): Promise<BatchJob[]>;
  /** Definition revisions by ARN; revisions are immutable, so implementations cache them. */
  getDefinitions(arns: readonly string[]): Promise<BatchJobDefinition[]>;
  /** Full job details (tags, effective container) for the given ids; unknown ids are omitted. */
  describeJobs(jobIds: readonly string[]): Promise<BatchJob[]>;
  /** A job already submitted to replace `job` (lineage tag), if a previous attempt got that far. */
  findReplacement(job: BatchJob): Promise<string | undefined>;
}

/** Why a flag could not be written as a tag (it is still recorded in the ledger and emitted). */
export type FlagResult = { readonly tagged: true } | { readonly tagged: false; readonly why: string };

/** Changes the fleet. */
export interface JobActions {
  /** Tags a stale job (`rotation-reactor:stale-since`, `rotation-reactor:stale-ref`) where Batch allows it. */
  flag(job: BatchJob, reaction: Reaction): Promise<FlagResult>;
  /** Submits a faithful copy of the job, tagged with its lineage; returns the new job id. */
  submitReplacement(job: BatchJob): Promise<string>;
  /** Terminates the stale job with a reason naming its replacement. */
  terminate(jobId: string, reason: string): Promise<void>;
}

/** One ledger record: a job and what was done about a change. */
export interface LedgerEntry {
  readonly jobId: string;
  /** `resubmit` (at most once per job) or `flag#<change key>`. */
  readonly slot: string;
  readonly state: 'claimed' | 'done' | 'failed';
  readonly action: Reaction['action'];
  readonly jobName?: string;
  readonly jobQueue?: string;
  readonly jobDefinition?: string;
  readonly changeKeys: readonly string[];
  readonly references: readonly string[];
  readonly staleSince: number;
  readonly claimedAt: number;
  readonly updatedAt: number;
  readonly attempts: number;
  readonly replacementJobId?: string;
  readonly note?: string;
  readonly error?: string;
}

/** Result of a claim: ours (fresh, or taking over an expired/failed attempt), or held by someone else. */
export type Claim =
  | { readonly claimed: true; readonly resumed: boolean; readonly previous?: LedgerEntry }
  | { readonly claimed: false; readonly holder: LedgerEntry };

/** Exactly-once bookkeeping: a conditional claim before any write action, then its outcome. */
export interface Ledger {
  /** Claims `(jobId, slot)`; succeeds when absent, failed, or claimed longer than the lease ago. */
  claim(entry: Omit<LedgerEntry, 'state' | 'updatedAt' | 'attempts'>): Promise<Claim>;
  /** Records the outcome of a claimed action. */
  complete(jobId: string, slot: string, outcome: { replacementJobId?: string; note?: string }): Promise<void>;
  /** Records a failed action; a later attempt may claim it again. */
  fail(jobId: string, slot: string, error: string): Promise<void>;
  /** Every entry of one job (its flags and its resubmission, if any). */
  entriesOf(jobId: string): Promise<LedgerEntry[]>;
  /** Entries updated since a time (newest first), for reports. */
  listSince(since: number): Promise<LedgerEntry[]>;
  /** Jobs flagged stale and not yet replaced: the current stale inventory. */
  staleInventory(): Promise<LedgerEntry[]>;
  /** Claims older than the lease that no attempt finished (it crashed), for reconciliation. */
  expiredClaims(): Promise<LedgerEntry[]>;
}

/** Output event detail-types (source `rotation-reactor`). */
export type OutputDetailType = 'Change Processed' | 'Stale Job Flagged' | 'Job Resubmitted' | 'Job Action Failed';

/** One output event. */
export interface OutputEvent {
  readonly detailType: OutputDetailType;
  readonly detail: Record<string, unknown>;
  readonly resources?: readonly string[];
}

/** Publishes output events; reports the ones that could not be delivered after retries. */
export interface Emitter {
  emit(events: readonly OutputEvent[]): Promise<{ failed: readonly { event: OutputEvent; error: string }[] }>;
}

/** When the value a newly started container would read last changed, from metadata only (never a value). */
export interface ResourceMetadata {
  /** The resource as the service names it (a secret with its complete ARN id when found). */
  readonly resource: Resource;
  readonly exists: boolean;
  /** Epoch ms of the last change of the current value; absent when it does not exist. */
  readonly lastChangedAt?: number;
  readonly version?: string;
}

/** Reads Parameter Store / Secrets Manager metadata for the sweep (DescribeParameters, DescribeSecret, ListSecretVersionIds). */
export interface MetadataSource {
  describe(resources: readonly Resource[]): Promise<{
    found: ResourceMetadata[];
    failed: { resource: Resource; why: string }[];
  }>;
}

/** Wall-clock time, injectable for tests and the sandbox. */
export type Clock = () => number;
