import { randomUUID } from 'node:crypto';
import type { BatchContainer, BatchJob, BatchNodeProperties } from '../core/fleet';
import { clientError } from './api-error';
import { toBatchArn } from './arns';
import { addJob, type BatchState, type DefinitionRecord, findActiveDefinition, findQueue } from './batch-state';
import { checkConsumableResources } from './consumable-resources';
import {
  checkContainerOverrides,
  checkEcsPropertiesOverride,
  toEffectiveContainer,
  toEffectiveEcsProperties,
} from './container-overrides';
import type { JobKind, JobRecord, JobStop } from './job-record';
import { checkNodeOverrides, findNodeRange, toEffectiveNodeProperties } from './multi-node';
import {
  type Body,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringMap,
  requiredString,
  toObjectList,
} from './request-body';
import { checkTags, maxTags } from './tag-rules';

const jobNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * `SubmitJob`: validates like Batch, resolves the queue (ENABLED) and definition (ACTIVE revision), and stores
 * the job with its effective spec (definition + overrides); array jobs get `<id>:<i>` children, multi-node jobs
 * `<id>#<n>` nodes. The job then moves through its lifecycle on the sandbox clock.
 */
export function submitJob(state: BatchState, body: Body): Record<string, unknown> {
  const request = parseSubmitJob(state, body);
  const jobId = randomUUID();
  const jobArn = toBatchArn(state.scope, 'job', jobId);
  const createdAt = state.clock.now();
  const { definition } = request;
  const detail = toJobDetailBase(request, jobId, jobArn, createdAt);
  const kind: JobKind = request.arraySize
    ? 'array-parent'
    : definition.definition.type === 'multinode'
      ? 'multi-node-main'
      : 'job';
  const stop = toTagOverflowStop(request, createdAt);
  const parent: JobRecord = {
    jobId,
    jobArn,
    jobName: request.jobName,
    jobQueue: request.queueArn,
    jobDefinition: definition.arn,
    createdAt,
    kind,
    detail,
    lifecycle: state.lifecycle,
    tags: { ...request.tags },
    ...(stop ? { stop } : {}),
  };
  addJob(state, parent);
  if (kind === 'array-parent') {
    for (let index = 0; index < request.arraySize!; index++) {
      addChild(state, parent, `${jobId}:${index}`, 'array-child', { ...detail, arrayProperties: { index } });
    }
  }
  if (kind === 'multi-node-main' && detail.nodeProperties) {
    const nodes = detail.nodeProperties;
    const { nodeProperties: _, ...shared } = detail;
    for (let index = 0; index < (nodes.numNodes ?? 1); index++) {
      addChild(state, parent, `${jobId}#${index}`, 'multi-node-node', toNodeDetail(shared, nodes, index));
    }
  }
  state.submissions.push(body);
  return { jobArn, jobName: request.jobName, jobId };
}

/** A SubmitJob request after validation: only checked fields reach the stored job. */
interface SubmitJobRequest {
  readonly jobName: string;
  readonly queueArn: string;
  readonly definition: DefinitionRecord;
  readonly tags: Record<string, string>;
  readonly arraySize?: number;
  readonly shareIdentifier?: string;
  readonly schedulingPriorityOverride?: number;
  readonly propagateTags?: boolean;
  readonly parameters?: Record<string, string>;
  readonly dependsOn?: readonly Body[];
  readonly retryStrategy?: Body;
  readonly timeout?: Body;
  readonly containerOverrides?: Body;
  readonly ecsPropertiesOverride?: Body;
  readonly nodeOverrides?: Body;
  readonly consumableResourcePropertiesOverride?: Body;
}

// "Maximum job payload size (for SubmitJob API operations): 30 KiB" (Batch service quotas).
const maxPayloadBytes = 30 * 1024;

function parseSubmitJob(state: BatchState, body: Body): SubmitJobRequest {
  const bytes = Buffer.byteLength(JSON.stringify(body));
  if (bytes > maxPayloadBytes) {
    throw clientError(`Job size must be less than 30 KiB, got ${Math.ceil(bytes / 1024)} KiB`);
  }
  const jobName = requiredString(body, 'jobName');
  if (!jobNamePattern.test(jobName)) {
    throw clientError(
      `jobName ${jobName} must be up to 128 letters, numbers, hyphens and underscores, starting with a letter or number`,
    );
  }
  const queueRef = requiredString(body, 'jobQueue');
  const queue = findQueue(state, queueRef);
  if (queue === undefined) throw clientError(`Job queue ${queueRef} does not exist`);
  if (queue.state !== 'ENABLED') throw clientError(`Job queue ${queueRef} is not in ENABLED state`);
  const definition = findActiveDefinition(state, requiredString(body, 'jobDefinition'));
  const shareIdentifier = optionalString(body, 'shareIdentifier');
  if (shareIdentifier !== undefined && shareIdentifier.length > 255) {
    throw clientError('shareIdentifier is limited to 255 characters');
  }
  const fairShare = typeof queue.detail.schedulingPolicyArn === 'string';
  if (fairShare && shareIdentifier === undefined) {
    throw clientError(`shareIdentifier must be specified for job queue ${queue.name}, which has a scheduling policy`);
  }
  if (!fairShare && shareIdentifier !== undefined) {
    throw clientError(`shareIdentifier can't be specified for job queue ${queue.name}, which has no scheduling policy`);
  }
  const arraySize = parseArraySize(body);
  if (arraySize !== undefined && definition.definition.type === 'multinode') {
    throw clientError('arrayProperties are not supported for multi-node parallel jobs');
  }
  const dependsOn = parseDependencies(state, body, arraySize);
  const retryStrategy = optionalObject(body, 'retryStrategy');
  if (retryStrategy) checkRetryStrategy(retryStrategy);
  const timeout = optionalObject(body, 'timeout');
  if (timeout) optionalInteger(timeout, 'attemptDurationSeconds', 60, Number.MAX_SAFE_INTEGER);
  const containerOverrides = optionalObject(body, 'containerOverrides');
  if (containerOverrides) checkContainerOverrides(containerOverrides, 'containerOverrides');
  const ecsPropertiesOverride = optionalObject(body, 'ecsPropertiesOverride');
  if (ecsPropertiesOverride) checkEcsPropertiesOverride(ecsPropertiesOverride);
  const nodeOverrides = optionalObject(body, 'nodeOverrides');
  if (nodeOverrides) {
    if (definition.definition.type !== 'multinode') {
      throw clientError('nodeOverrides can only be used with multi-node parallel job definitions');
    }
    checkNodeOverrides(nodeOverrides, definition.definition.nodeProperties ?? {});
  }
  const consumables = optionalObject(body, 'consumableResourcePropertiesOverride');
  if (consumables) checkConsumableResources(consumables, 'consumableResourcePropertiesOverride');
  const tags = optionalStringMap(body, 'tags') ?? {};
  checkTags(tags);
  const optional = {
    arraySize,
    shareIdentifier,
    schedulingPriorityOverride: optionalInteger(body, 'schedulingPriorityOverride', 0, 9999),
    propagateTags: optionalBoolean(body, 'propagateTags'),
    parameters: optionalStringMap(body, 'parameters'),
    dependsOn,
    retryStrategy,
    timeout,
    containerOverrides,
    ecsPropertiesOverride,
    nodeOverrides,
    consumableResourcePropertiesOverride: consumables,
  };
  return { jobName, queueArn: queue.arn, definition, tags, ...withoutUndefined(optional) };
}

/**
 * Batch documents up to 20 dependencies, `SEQUENTIAL` without a job id for array jobs, and `N_TO_N` with a job id
 * (job_dependencies.html). What Batch answers for a job id it does not know (never existed, or purged after it
 * finished) is not documented: the sandbox chooses a ClientException, so a copy that names a purged job fails loudly.
 */
function parseDependencies(state: BatchState, body: Body, arraySize: number | undefined): Body[] | undefined {
  if (body.dependsOn == null) return undefined;
  const dependsOn = toObjectList(body.dependsOn, 'dependsOn');
  if (dependsOn.length > 20) throw clientError(`dependsOn can contain up to 20 jobs, got ${dependsOn.length}`);
  for (const [index, dependency] of dependsOn.entries()) {
    const path = `dependsOn[${index}]`;
    const jobId = optionalString(dependency, 'jobId');
    const type = optionalString(dependency, 'type');
    if (type !== undefined && type !== 'N_TO_N' && type !== 'SEQUENTIAL') {
      throw clientError(`${path}.type ${type} must be one of N_TO_N | SEQUENTIAL`);
    }
    if (jobId === undefined || jobId === '') {
      if (type !== 'SEQUENTIAL' || arraySize === undefined) {
        throw clientError(`${path} needs a jobId, unless it is a SEQUENTIAL dependency of an array job`);
      }
    } else if (!state.jobs.has(jobId)) {
      throw clientError(`${path}: job ${jobId} does not exist`);
    }
  }
  return dependsOn;
}

/** RetryStrategy: 1 to 10 attempts; up to 5 `evaluateOnExit` entries (then `attempts` is required), each RETRY or EXIT. */
function checkRetryStrategy(retryStrategy: Body): void {
  const attempts = optionalInteger(retryStrategy, 'attempts', 1, 10);
  if (retryStrategy.evaluateOnExit == null) return;
  const conditions = toObjectList(retryStrategy.evaluateOnExit, 'retryStrategy.evaluateOnExit');
  if (conditions.length > 5) throw clientError(`retryStrategy.evaluateOnExit can contain up to 5 entries`);
  if (attempts === undefined) throw clientError('retryStrategy.attempts is required with evaluateOnExit');
  for (const condition of conditions) {
    // "The values aren't case sensitive."
    const action = optionalString(condition, 'action')?.toUpperCase();
    if (action !== 'RETRY' && action !== 'EXIT') {
      throw clientError('retryStrategy.evaluateOnExit[].action must be RETRY or EXIT');
    }
  }
}

function parseArraySize(body: Body): number | undefined {
  const arrayProperties = optionalObject(body, 'arrayProperties');
  if (arrayProperties === undefined) return undefined;
  const size = optionalInteger(arrayProperties, 'size', 2, 10_000);
  if (size === undefined) throw clientError('arrayProperties.size is required (2 to 10000)');
  return size;
}

function toJobDetailBase(request: SubmitJobRequest, jobId: string, jobArn: string, createdAt: number): BatchJob {
  const spec = request.definition.definition;
  const optional = {
    shareIdentifier: request.shareIdentifier,
    schedulingPriority: request.schedulingPriorityOverride ?? spec.schedulingPriority,
    retryStrategy: request.retryStrategy ?? spec.retryStrategy,
    container: spec.containerProperties && toEffectiveContainer(spec.containerProperties, request.containerOverrides),
    nodeProperties: spec.nodeProperties && toEffectiveNodeProperties(spec.nodeProperties, request.nodeOverrides),
    arrayProperties: request.arraySize ? { size: request.arraySize } : undefined,
    timeout: request.timeout ?? spec.timeout,
    ecsProperties:
      spec.ecsProperties && toEffectiveEcsProperties(spec.ecsProperties as Body, request.ecsPropertiesOverride),
    eksProperties: spec.eksProperties,
    consumableResourceProperties: request.consumableResourcePropertiesOverride ?? spec.consumableResourceProperties,
  };
  return {
    jobArn,
    jobName: request.jobName,
    jobId,
    jobQueue: request.queueArn,
    status: 'SUBMITTED',
    createdAt,
    dependsOn: request.dependsOn ?? [],
    jobDefinition: request.definition.arn,
    parameters: { ...(spec.parameters as Record<string, string> | undefined), ...request.parameters },
    ...withoutUndefined(optional),
    propagateTags: request.propagateTags ?? spec.propagateTags ?? false,
    platformCapabilities: spec.platformCapabilities ?? [],
  };
}

function withoutUndefined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function toNodeDetail(shared: BatchJob, nodes: BatchNodeProperties, index: number): BatchJob {
  const range = findNodeRange(nodes, index);
  const container = range?.container as BatchContainer | undefined;
  return {
    ...shared,
    ...(container ? { container } : {}),
    ...(range?.ecsProperties ? { ecsProperties: range.ecsProperties } : {}),
    nodeDetails: { nodeIndex: index, isMainNode: index === nodes.mainNode },
    nodeProperties: { ...nodes },
  };
}

function addChild(state: BatchState, parent: JobRecord, jobId: string, kind: JobKind, detail: BatchJob): void {
  const jobArn = toBatchArn(state.scope, 'job', jobId);
  addJob(state, {
    ...parent,
    jobId,
    jobArn,
    kind,
    detail: { ...detail, jobId, jobArn },
    parentId: parent.jobId,
    tags: { ...parent.tags },
  });
}

function toTagOverflowStop(request: SubmitJobRequest, now: number): JobStop | undefined {
  const propagate = request.propagateTags ?? request.definition.definition.propagateTags;
  if (!propagate) return undefined;
  const combined = Object.keys({ ...request.definition.tags, ...request.tags }).length;
  if (combined <= maxTags) return undefined;
  return {
    status: 'FAILED',
    stoppedAt: now,
    statusReason: `Tags more than ${maxTags}: the job and job definition have ${combined} tags combined and propagateTags is on`,
    cancelled: false,
    terminated: false,
  };
}
