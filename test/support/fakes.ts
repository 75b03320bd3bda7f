/**
 * In-memory implementations of the core's ports, with the same semantics as the adapters (fenced claims judged by
 * the ledger's own clock, budgets, control record), for unit tests of the use cases without an SDK or a server.
 * The integration tests hold the adapters to the same behaviour against dynalite and the sandbox.
 */
import { FencedOutError, RefusedError } from '../../lib/core/errors';
import type { BatchJob, BatchJobDefinition, BatchJobQueue } from '../../lib/core/fleet';
import { type ChangeKey, parseLineageTag, parseSlotName, REPLACES_TAG, toLineageTag } from '../../lib/core/keys';
import type {
  Budget,
  Claim,
  ClaimTicket,
  ControlRecord,
  ControlStore,
  Emitter,
  Fence,
  JobActions,
  JobSource,
  Ledger,
  LedgerEntry,
  OutputEvent,
} from '../../lib/core/ports';

/** A ledger in memory; `now` is the ledger's (server's) clock, which the test moves. */
export function aMemoryLedger(options: { leaseMs?: number; now: () => number }) {
  const leaseMs = options.leaseMs ?? 300_000;
  const entries = new Map<string, LedgerEntry>();
  const budgets = new Map<ChangeKey, { used: number; jobs: Set<string> }>();
  const key = (jobId: string, slot: string) => `${jobId}\u0000${slot}`;
  let tokens = 0;
  const fences: { ticket: ClaimTicket; renewedAt: number }[] = [];
  const holds = (ticket: ClaimTicket) => {
    const entry = entries.get(key(ticket.jobId, ticket.slot));
    return entry?.state === 'claimed' && entry.token === ticket.token ? entry : undefined;
  };

  const ledger: Ledger = {
    async claim(request) {
      const now = options.now();
      const current = entries.get(key(request.jobId, request.slot));
      const free =
        !current ||
        current.state === 'failed' ||
        (current.state === 'claimed' && (current.leaseUntil ?? current.claimedAt + leaseMs) < now);
      if (!free) return { claimed: false, holder: current } as Claim;
      const token = `token-${++tokens}`;
      entries.set(key(request.jobId, request.slot), {
        ...request,
        state: 'claimed',
        token,
        claimedAt: now,
        leaseUntil: now + leaseMs,
        updatedAt: now,
        attempts: (current?.attempts ?? 0) + 1,
      });
      const ticket = { jobId: request.jobId, slot: request.slot, token };
      return current
        ? { claimed: true, ticket, resumed: true, previous: current }
        : { claimed: true, ticket, resumed: false };
    },
    async renew(ticket) {
      const entry = holds(ticket);
      if (!entry) return undefined;
      entries.set(key(ticket.jobId, ticket.slot), { ...entry, leaseUntil: options.now() + leaseMs });
      const record = { ticket, renewedAt: options.now() };
      fences.push(record);
      const fence: Fence = {
        check: () => {
          if (options.now() - record.renewedAt >= leaseMs / 2) throw new FencedOutError('fence expired');
        },
      };
      return fence;
    },
    async complete(ticket, outcome) {
      const entry = holds(ticket);
      if (!entry) throw new FencedOutError(`cannot complete ${ticket.jobId} / ${ticket.slot}`);
      entries.set(key(ticket.jobId, ticket.slot), { ...entry, ...outcome, state: 'done', updatedAt: options.now() });
    },
    async fail(ticket, error, failOptions = {}) {
      const entry = holds(ticket);
      if (!entry) throw new FencedOutError(`cannot fail ${ticket.jobId} / ${ticket.slot}`);
      const state = failOptions.refused ? 'refused' : 'failed';
      entries.set(key(ticket.jobId, ticket.slot), { ...entry, state, error, updatedAt: options.now() });
    },
    async settle(observed, outcome) {
      const entry = entries.get(key(observed.jobId, observed.slot));
      if (!entry || entry.state !== 'claimed' || entry.token !== observed.token) return false;
      if ((entry.leaseUntil ?? 0) >= options.now()) return false;
      const state = 'error' in outcome ? 'failed' : 'done';
      entries.set(key(observed.jobId, observed.slot), { ...entry, ...outcome, state, updatedAt: options.now() });
      return true;
    },
    async entriesOf(jobId) {
      return [...entries.values()].filter((e) => e.jobId === jobId);
    },
    async listSince(since) {
      return [...entries.values()].filter((e) => e.updatedAt >= since).sort((a, b) => b.updatedAt - a.updatedAt);
    },
    async staleInventory() {
      const replaced = (jobId: string) => entries.get(key(jobId.split(/[:#]/)[0], 'resubmit'))?.state === 'done';
      return [...entries.values()]
        .filter((e) => e.state === 'done' && parseSlotName(e.slot)?.kind === 'flag' && !replaced(e.jobId))
        .sort((a, b) => a.staleSince - b.staleSince);
    },
    async expiredClaims() {
      return [...entries.values()].filter((e) => e.state === 'claimed' && (e.leaseUntil ?? 0) < options.now());
    },
    async budgetsOf(changes) {
      const found = new Map<ChangeKey, Budget>();
      for (const change of changes) {
        const budget = budgets.get(change);
        if (budget) found.set(change, { used: budget.used, jobs: new Set(budget.jobs) });
      }
      return found;
    },
    async reserve(change, jobId, weight, cap) {
      const budget = budgets.get(change) ?? { used: 0, jobs: new Set<string>() };
      if (budget.jobs.has(jobId)) return { reserved: true, used: budget.used };
      if (budget.used + weight > cap) return { reserved: false, used: budget.used };
      budgets.set(change, { used: budget.used + weight, jobs: new Set([...budget.jobs, jobId]) });
      return { reserved: true, used: budget.used + weight };
    },
  };
  return {
    ledger,
    entries: () => [...entries.values()],
    entry: (jobId: string, slot: string) => entries.get(key(jobId, slot)),
    budget: (change: ChangeKey) => budgets.get(change),
  };
}

/** A Batch fleet in memory: the job source and the job actions over it, recording every write. */
export function aMemoryBatch(fleet: {
  queues?: BatchJobQueue[];
  definitions?: BatchJobDefinition[];
  jobs: BatchJob[];
}) {
  const jobs = new Map(fleet.jobs.map((job) => [job.jobId, job]));
  const submitted: { replaces: string; answers?: number; jobId: string }[] = [];
  const terminated: { jobId: string; reason: string }[] = [];
  const flagged: string[] = [];
  let submissions = 0;
  const faults: { submit?: () => Error | undefined; terminate?: () => Error | undefined } = {};

  const source: JobSource = {
    listQueues: async () => fleet.queues ?? [],
    listLiveJobs: async () => [...jobs.values()].filter((j) => j.status === 'RUNNING' || j.status === 'STARTING'),
    getDefinitions: async (arns) => (fleet.definitions ?? []).filter((d) => arns.includes(d.jobDefinitionArn)),
    describeJobs: async (ids) => ids.flatMap((id) => (jobs.has(id) ? [jobs.get(id)!] : [])),
    findDependents: async (jobIds) => {
      const dependents = new Map<string, string[]>();
      for (const job of jobs.values()) {
        if (job.status !== 'PENDING') continue;
        for (const dependency of (job.dependsOn as { jobId?: string }[] | undefined) ?? []) {
          if (dependency.jobId && jobIds.includes(dependency.jobId)) {
            dependents.set(dependency.jobId, [...(dependents.get(dependency.jobId) ?? []), job.jobId]);
          }
        }
      }
      return dependents;
    },
    findReplacement: async (job) =>
      [...jobs.values()].find((j) => parseLineageTag(j.tags?.[REPLACES_TAG])?.replaces === job.jobId)?.jobId,
  };
  const actions: JobActions = {
    async flag(job) {
      flagged.push(job.jobId);
      return job.jobId.includes(':') ? { tagged: false, why: 'child' } : { tagged: true };
    },
    async submitReplacement(job, { lineage, fence }) {
      // A fault stands for what happens before the request leaves (slowness, a refusal); the fence is checked last.
      const fault = faults.submit?.();
      if (fault) throw fault;
      fence.check();
      const jobId = `${job.jobId}-copy-${++submissions}`;
      jobs.set(jobId, {
        ...job,
        jobId,
        status: 'SUBMITTED',
        startedAt: undefined,
        tags: { ...job.tags, [REPLACES_TAG]: toLineageTag(lineage) },
      });
      submitted.push({ ...lineage, jobId });
      return jobId;
    },
    async terminate(jobId, reason) {
      const fault = faults.terminate?.();
      if (fault) throw fault;
      terminated.push({ jobId, reason });
      const job = jobs.get(jobId);
      if (job) jobs.set(jobId, { ...job, status: 'FAILED', isTerminated: true, statusReason: reason });
    },
  };
  return {
    source,
    actions,
    jobs: () => [...jobs.values()],
    set: (job: BatchJob) => jobs.set(job.jobId, job),
    submitted,
    terminated,
    flagged,
    faults,
    refused: (message = 'ClientException: refused') => new RefusedError(message),
  };
}

/** An emitter that keeps what it was given. */
export function aMemoryEmitter() {
  const events: OutputEvent[] = [];
  const emitter: Emitter = {
    emit: async (batch) => {
      events.push(...batch);
      return { failed: [] };
    },
  };
  return { emitter, events };
}

/** A control store in memory. */
export function aMemoryControl(initial?: ControlRecord) {
  let record = initial;
  const store: ControlStore = {
    read: async () => record,
    write: async (update, by) => {
      const next: Record<string, unknown> = { ...record, updatedAt: Date.now(), updatedBy: by.who, reason: by.why };
      for (const [field, value] of Object.entries(update)) {
        if (value === null) delete next[field];
        else if (value !== undefined) next[field] = value;
      }
      record = next as unknown as ControlRecord;
      return record;
    },
  };
  return { store, record: () => record };
}
