import type { BatchJobDefinition, BatchJobQueue, FleetSnapshot } from '../core/fleet';
import { clientError } from './api-error';
import { type ArnScope, parseBatchArn, toBatchArn } from './arns';
import type { Clock } from './clock';
import { type JobRecord, type Lifecycle, toJobKind } from './job-record';

/** A job queue; `detail` excludes `state` and `tags`, which can change. */
export interface QueueRecord {
  readonly arn: string;
  readonly name: string;
  readonly detail: BatchJobQueue;
  state: 'ENABLED' | 'DISABLED';
  tags: Record<string, string>;
}

/** A job definition revision; `definition` is immutable, `status` and `tags` are not. */
export interface DefinitionRecord {
  readonly arn: string;
  readonly name: string;
  readonly revision: number;
  readonly definition: BatchJobDefinition;
  status: 'ACTIVE' | 'INACTIVE';
  tags: Record<string, string>;
}

/** Everything the Batch API serves, with the indexes that keep each request O(page), not O(fleet). */
export interface BatchState {
  readonly scope: ArnScope;
  readonly clock: Clock;
  readonly lifecycle: Lifecycle;
  readonly queues: QueueRecord[];
  readonly queuesByArn: Map<string, QueueRecord>;
  readonly queuesByName: Map<string, QueueRecord>;
  readonly definitions: DefinitionRecord[];
  readonly definitionsByArn: Map<string, DefinitionRecord>;
  /** Revisions of each name, ascending by revision. */
  readonly definitionsByName: Map<string, DefinitionRecord[]>;
  /** Each revision by `name:revision`. */
  readonly definitionsByRevision: Map<string, DefinitionRecord>;
  readonly jobs: Map<string, JobRecord>;
  /** Top-level jobs (not array children or nodes) of each queue ARN, in submission order. */
  readonly jobsByQueue: Map<string, JobRecord[]>;
  /** Array children and multi-node nodes of each parent id, in index order. */
  readonly childrenByParent: Map<string, JobRecord[]>;
  readonly submissions: unknown[];
}

/** Creates the state and loads a fleet snapshot into it; fleet jobs keep their given status and times. */
export function createBatchState(fleet: FleetSnapshot, clock: Clock, lifecycle: Lifecycle): BatchState {
  const state: BatchState = {
    scope: { partition: fleet.partition ?? 'aws', region: fleet.region, account: fleet.account },
    clock,
    lifecycle,
    queues: [],
    queuesByArn: new Map(),
    queuesByName: new Map(),
    definitions: [],
    definitionsByArn: new Map(),
    definitionsByName: new Map(),
    definitionsByRevision: new Map(),
    jobs: new Map(),
    jobsByQueue: new Map(),
    childrenByParent: new Map(),
    submissions: [],
  };
  for (const queue of fleet.jobQueues) addQueue(state, queue);
  for (const definition of fleet.jobDefinitions) addDefinition(state, definition);
  for (const job of fleet.jobs) {
    const queue = state.queuesByArn.get(job.jobQueue) ?? state.queuesByName.get(job.jobQueue);
    const { tags, ...detail } = job;
    const jobQueue = queue?.arn ?? job.jobQueue;
    const kind = toJobKind(job);
    const childOf = kind === 'array-child' || kind === 'multi-node-node' ? job.jobId.split(/[:#]/)[0] : undefined;
    addJob(state, {
      jobId: job.jobId,
      jobArn: job.jobArn ?? toBatchArn(state.scope, 'job', job.jobId),
      jobName: job.jobName,
      jobQueue,
      jobDefinition: job.jobDefinition,
      createdAt: job.createdAt ?? 0,
      kind,
      detail: { ...detail, jobQueue },
      ...(childOf === undefined ? {} : { parentId: childOf }),
      tags: { ...tags },
    });
  }
  for (const children of state.childrenByParent.values()) children.sort((a, b) => toChildIndex(a) - toChildIndex(b));
  return state;
}

/** Adds a queue (from the fleet or CreateJobQueue). */
export function addQueue(state: BatchState, queue: BatchJobQueue): QueueRecord {
  const { tags, state: queueState, ...detail } = queue;
  const record: QueueRecord = {
    arn: queue.jobQueueArn,
    name: queue.jobQueueName,
    detail: detail as BatchJobQueue,
    state: queueState === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    tags: { ...tags },
  };
  state.queues.push(record);
  state.queuesByArn.set(record.arn, record);
  state.queuesByName.set(record.name, record);
  return record;
}

/** Adds a definition revision (from the fleet or RegisterJobDefinition). */
export function addDefinition(state: BatchState, definition: BatchJobDefinition): DefinitionRecord {
  const { tags, status, ...rest } = definition;
  const record: DefinitionRecord = {
    arn: definition.jobDefinitionArn,
    name: definition.jobDefinitionName,
    revision: definition.revision,
    definition: rest as BatchJobDefinition,
    status: status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE',
    tags: { ...tags },
  };
  state.definitions.push(record);
  state.definitionsByArn.set(record.arn, record);
  state.definitionsByRevision.set(`${record.name}:${record.revision}`, record);
  const revisions = state.definitionsByName.get(record.name);
  if (revisions === undefined) state.definitionsByName.set(record.name, [record]);
  else {
    revisions.push(record);
    if (revisions.length > 1 && revisions[revisions.length - 2].revision > record.revision) {
      revisions.sort((a, b) => a.revision - b.revision);
    }
  }
  return record;
}

/** Adds a job to the id index and to its queue's list (top-level jobs) or its parent's children. */
export function addJob(state: BatchState, record: JobRecord): void {
  state.jobs.set(record.jobId, record);
  const key = record.parentId ?? record.jobQueue;
  const index = record.parentId === undefined ? state.jobsByQueue : state.childrenByParent;
  const list = index.get(key);
  if (list === undefined) index.set(key, [record]);
  else list.push(record);
}

/** The array children or multi-node nodes of a job (empty for others). */
export function childrenOf(state: BatchState, jobId: string): readonly JobRecord[] {
  return state.childrenByParent.get(jobId) ?? [];
}

/** Resolves a queue by name or ARN, as every Batch API accepts either. */
export function findQueue(state: BatchState, ref: string): QueueRecord | undefined {
  return state.queuesByArn.get(ref) ?? state.queuesByName.get(ref);
}

/** Resolves `name:revision` or a revision ARN to one revision. */
export function findRevision(state: BatchState, ref: string): DefinitionRecord | undefined {
  return ref.startsWith('arn:') ? state.definitionsByArn.get(ref) : state.definitionsByRevision.get(ref);
}

/**
 * Resolves a SubmitJob `jobDefinition`: a revision (`name:rev` or its ARN) must be ACTIVE; a bare name (or an ARN
 * without revision) means the latest ACTIVE revision.
 */
export function findActiveDefinition(state: BatchState, ref: string): DefinitionRecord {
  const parsed = ref.startsWith('arn:') ? parseBatchArn(state.scope, ref) : undefined;
  const nameOrRevision = parsed?.type === 'job-definition' ? parsed.id : ref;
  const found = /:\d+$/.test(nameOrRevision)
    ? findRevision(state, nameOrRevision)
    : state.definitionsByName.get(nameOrRevision)?.findLast((record) => record.status === 'ACTIVE');
  if (found === undefined || found.status !== 'ACTIVE') {
    throw clientError(`JobDefinition ${ref} does not exist or is not in ACTIVE status`);
  }
  return found;
}

function toChildIndex(record: JobRecord): number {
  return Number(record.jobId.slice(record.jobId.search(/[:#]/) + 1));
}
