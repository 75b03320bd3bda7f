/**
 * What the use case needs from the outside world. Adapters in lib/adapters implement these over the AWS SDK;
 * tests and the CLI may pass other implementations.
 */

import type { Reaction } from './decision';
import type { BatchJob, BatchJobDefinition, BatchJobQueue } from './fleet';
import type { ChangeKey, Lineage } from './keys';
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
  /**
   * The jobs of the queues still waiting (PENDING) on one of `jobIds` (their `dependsOn` names it): terminating it
   * would fail them. By dependency id; ids nothing waits on are absent.
   */
  findDependents(jobIds: readonly string[], queues: readonly BatchJobQueue[]): Promise<Map<string, string[]>>;
}

/** Why a flag could not be written as a tag (it is still recorded in the ledger and emitted). */
export type FlagResult = { readonly tagged: true } | { readonly tagged: false; readonly why: string };

/**
 * Proof that this process still holds a claim, checked right before each SubmitJob attempt leaves the process: it
 * throws a `FencedOutError` once the claim's lease may have passed to another attempt.
 */
export interface Fence {
  check(): void;
}

/** What a replacement is submitted with: its lineage tag, and the fence of the claim that allows it. */
export interface Resubmission {
  readonly lineage: Lineage;
  readonly fence: Fence;
}

/** Changes the fleet. */
export interface JobActions {
  /** Tags a stale job (`rotation-reactor:stale-since`, `rotation-reactor:stale-ref`) where Batch allows it. */
  flag(job: BatchJob, reaction: Reaction): Promise<FlagResult>;
  /**
   * Submits a faithful copy of the job, tagged with its lineage; returns the new job id. Throws a non-retryable
   * `ReactorError` when Batch refused the copy (nothing was submitted), a retryable one when the outcome is unknown.
   */
  submitReplacement(job: BatchJob, resubmission: Resubmission): Promise<string>;
  /** Terminates the stale job with a reason naming its replacement. */
  terminate(jobId: string, reason: string): Promise<void>;
}

/** State of a ledger entry: `refused` is final (Batch refused the action; only an operator retries it). */
export type LedgerState = 'claimed' | 'done' | 'failed' | 'refused';

/** One ledger record: a job and what was done about a change. */
export interface LedgerEntry {
  readonly jobId: string;
  /** The slot name (`resubmit`, or `flag#<resource>|<effect>`: lib/core/keys.ts). */
  readonly slot: string;
  readonly state: LedgerState;
  readonly action: Reaction['action'];
  readonly jobName?: string;
  readonly jobQueue?: string;
  readonly jobDefinition?: string;
  readonly changeKeys: readonly ChangeKey[];
  readonly references: readonly string[];
  readonly staleSince: number;
  /** Ledger time (epoch ms) of the claim, its last update, and the end of its lease. */
  readonly claimedAt: number;
  readonly updatedAt: number;
  readonly leaseUntil?: number;
  /** The claim's fencing token: every later transition is conditional on it. */
  readonly token?: string;
  readonly attempts: number;
  readonly replacementJobId?: string;
  readonly note?: string;
  readonly error?: string;
}

/** A claim this process holds: its later transitions name the token they are conditional on. */
export interface ClaimTicket {
  readonly jobId: string;
  readonly slot: string;
  readonly token: string;
}

/** Result of a claim: ours (fresh, or taking over a failed or abandoned attempt), or held by someone else. */
export type Claim =
  | { readonly claimed: true; readonly ticket: ClaimTicket; readonly resumed: boolean; readonly previous?: LedgerEntry }
  | { readonly claimed: false; readonly holder: LedgerEntry };

/** What a claim records about the job and the change. */
export type ClaimRequest = Pick<
  LedgerEntry,
  'jobId' | 'slot' | 'action' | 'jobName' | 'jobQueue' | 'jobDefinition' | 'changeKeys' | 'references' | 'staleSince'
>;

/** A change's blast-radius budget: the weight reserved so far and the jobs it was reserved for. */
export interface Budget {
  readonly used: number;
  readonly jobs: ReadonlySet<string>;
}

/**
 * Exactly-once bookkeeping: a fenced claim before any write action, then its outcome. Leases are judged by the
 * ledger's own time (the DynamoDB server's), never by the caller's clock.
 */
export interface Ledger {
  /** Claims a slot; succeeds when absent, failed, or claimed by an attempt whose lease has passed (ledger time). */
  claim(entry: ClaimRequest): Promise<Claim>;
  /**
   * Renews the lease of a claim this process holds, just before an irreversible step; undefined when another
   * attempt holds the slot now. The fence it returns expires long before the renewed lease does.
   */
  renew(ticket: ClaimTicket): Promise<Fence | undefined>;
  /** Records the outcome of a claim this process holds; throws `FencedOutError` if another attempt took it over. */
  complete(ticket: ClaimTicket, outcome: { replacementJobId?: string; note?: string }): Promise<void>;
  /** Records a failed action: a later attempt may claim it again, unless `refused` (final). */
  fail(ticket: ClaimTicket, error: string, options?: { refused?: boolean }): Promise<void>;
  /**
   * Settles a claim reconciliation proved abandoned (its lease passed, its job ended): conditional on the token and
   * state it observed, so it never overwrites an attempt that took the slot over meanwhile. False when it did not.
   */
  settle(entry: LedgerEntry, outcome: { replacementJobId: string; note: string } | { error: string }): Promise<boolean>;
  /** Every entry of one job (its flags and its resubmission, if any). */
  entriesOf(jobId: string): Promise<LedgerEntry[]>;
  /** Entries updated since a time (newest first), for reports. */
  listSince(since: number): Promise<LedgerEntry[]>;
  /** Jobs flagged stale and not yet replaced: the current stale inventory. */
  staleInventory(): Promise<LedgerEntry[]>;
  /** Claims whose lease has passed (ledger time) while still `claimed`: abandoned, for reconciliation. */
  expiredClaims(): Promise<LedgerEntry[]>;
  /** The blast-radius budgets of some changes (absent = nothing reserved yet). */
  budgetsOf(changes: readonly ChangeKey[]): Promise<Map<ChangeKey, Budget>>;
  /**
   * Reserves `weight` (jobs that a resubmission restarts: an array counts its children) of a change's budget for a
   * job, atomically and at most once per job; refused when it would exceed `cap`.
   */
  reserve(change: ChangeKey, jobId: string, weight: number, cap: number): Promise<{ reserved: boolean; used: number }>;
}

/** What operators set without a redeploy; absent fields fall back to the deployment's defaults. */
export interface ControlRecord {
  readonly paused?: boolean;
  readonly dryRun?: boolean;
  readonly maxResubmitsPerChange?: number;
  readonly updatedAt: number;
  readonly updatedBy: string;
  readonly reason?: string;
}

/** Reads and writes the operators' control record (an item of the ledger table). */
export interface ControlStore {
  read(): Promise<ControlRecord | undefined>;
  /** Sets the given fields (undefined leaves one as is, null clears it back to the default) and records who and why. */
  write(
    update: { paused?: boolean | null; dryRun?: boolean | null; maxResubmitsPerChange?: number | null },
    by: { who: string; why?: string },
  ): Promise<ControlRecord>;
}

/** Where the core reports what it does not throw (a bookkeeping write that failed, a fenced-out attempt). */
export interface Log {
  warn(message: string, fields?: Record<string, unknown>): void;
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
