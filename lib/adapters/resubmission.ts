/**
 * A faithful copy of a job as a SubmitJob request (README "Resubmission: a faithful copy"; aws-semantics §5.6).
 * DescribeJobs has no override objects, so every effective setting of the job detail is sent back as the override
 * that reproduces it, field by field; what cannot be reproduced makes the job not resubmittable instead.
 */

import type {
  ConsumableResourceProperties,
  ContainerOverrides,
  EcsPropertiesOverride,
  JobDependency,
  JobDetail,
  KeyValuePair,
  NodeOverrides,
  NodePropertyOverride,
  NodeRangeProperty,
  ResourceRequirement,
  SubmitJobCommandInput,
} from '@aws-sdk/client-batch';
import { NotResubmittableError } from '../core/errors';
import { type BatchJob, isChildJob } from '../core/fleet';
import { type Lineage, REPLACES_TAG, STALE_REF_TAG, STALE_SINCE_TAG, toLineageTag } from '../core/keys';
import { dropUndefined } from '../core/objects';

/** SubmitJob accepts at most 50 tags (the same limit as TagResource). */
export const MAX_SUBMIT_TAGS = 50;
/** "Maximum job payload size (for SubmitJob API operations): 30 KiB" (Batch service quotas). */
export const MAX_SUBMIT_BYTES = 30 * 1024;

/** The container fields a copy reads, in any of Batch's container shapes (ContainerDetail, TaskContainerDetails…). */
interface EffectiveContainer {
  readonly name?: string;
  readonly command?: readonly string[];
  readonly environment?: readonly KeyValuePair[];
  readonly resourceRequirements?: readonly ResourceRequirement[];
  readonly vcpus?: number;
  readonly memory?: number;
  readonly instanceType?: string;
}

interface EffectiveEcsProperties {
  readonly taskProperties?: readonly { readonly containers?: readonly EffectiveContainer[] }[];
}

type NodeRange = Omit<NodeRangeProperty, 'container' | 'ecsProperties'> & {
  readonly container?: EffectiveContainer;
  readonly ecsProperties?: EffectiveEcsProperties;
};

/** The job detail as the SDK models it; the core's `BatchJob` is the same JSON, typed loosely. */
type Detail = Omit<JobDetail, 'container' | 'ecsProperties' | 'nodeProperties'> & {
  readonly container?: EffectiveContainer;
  readonly ecsProperties?: EffectiveEcsProperties;
  readonly nodeProperties?: { readonly numNodes?: number; readonly nodeRangeProperties?: readonly NodeRange[] };
};

const toDetail = (job: BatchJob): Detail => job as unknown as Detail;

/** Number of tags the replacement of `job` would carry: its own, minus `aws:*` and flag tags, plus the lineage tag. */
export function toReplacementTagCount(job: BatchJob): number {
  return Object.keys(toReplacementTags(job)).length;
}

/**
 * Why `job` cannot be copied faithfully by SubmitJob, or undefined when it can. Checked by `toResubmission`, which
 * throws `NotResubmittableError` with this reason.
 */
export function toCopyObstacle(job: BatchJob): string | undefined {
  const detail = toDetail(job);
  if (isChildJob(job.jobId)) {
    return 'an array child or multi-node node cannot be submitted alone: its parent is resubmitted';
  }
  const tagCount = toReplacementTagCount(job);
  if (tagCount > MAX_SUBMIT_TAGS) {
    return `its copy would carry ${tagCount} tags (its own and ${REPLACES_TAG}); SubmitJob accepts at most ${MAX_SUBMIT_TAGS}`;
  }
  const ranges = detail.nodeProperties?.nodeRangeProperties ?? [];
  if (detail.eksProperties || ranges.some((range) => range.eksProperties)) {
    // Batch never injects SSM / Secrets Manager values into EKS pods (aws-semantics §3.1), so an EKS job is never
    // stale; its pod overrides are not mapped, so it is refused rather than copied without them.
    return 'EKS jobs are not copied (eksPropertiesOverride is not mapped)';
  }
  const containers = [
    detail.container,
    ...toEcsContainers(detail.ecsProperties),
    ...ranges.flatMap((range) => [range.container, ...toEcsContainers(range.ecsProperties)]),
  ];
  if (containers.some((container) => container?.command?.includes(''))) {
    return 'its command contains an empty string, which SubmitJob refuses in an override';
  }
  // The copy sends the whole effective environment (definition + overrides) back as an override, so it can outgrow the
  // original request.
  const bytes = Buffer.byteLength(JSON.stringify(toRequest(job, { replaces: job.jobId, answers: 0 })));
  if (bytes > MAX_SUBMIT_BYTES) {
    return `its SubmitJob request would be ${bytes} bytes; Batch accepts at most ${MAX_SUBMIT_BYTES} (30 KiB)`;
  }
  return undefined;
}

/**
 * Maps a job detail to the SubmitJob request of its replacement: same name, queue, exact definition revision, and
 * every effective setting as the override that reproduces it (README has the field-by-field table). Throws
 * `NotResubmittableError` when no faithful, valid request exists (`toCopyObstacle`).
 */
export function toResubmission(job: BatchJob, lineage: Lineage = { replaces: job.jobId }): SubmitJobCommandInput {
  const obstacle = toCopyObstacle(job);
  if (obstacle !== undefined) throw new NotResubmittableError(`job ${job.jobId} is not resubmittable: ${obstacle}`);
  return toRequest(job, lineage);
}

function toRequest(job: BatchJob, lineage: Lineage): SubmitJobCommandInput {
  const detail = toDetail(job);
  const singleNode = !detail.ecsProperties && !detail.nodeProperties;
  const request: SubmitJobCommandInput = {
    jobName: detail.jobName,
    jobQueue: detail.jobQueue,
    shareIdentifier: detail.shareIdentifier,
    schedulingPriorityOverride: detail.schedulingPriority,
    arrayProperties: detail.arrayProperties?.size ? { size: detail.arrayProperties.size } : undefined,
    dependsOn: toDependencies(detail),
    jobDefinition: detail.jobDefinition,
    parameters: detail.parameters,
    containerOverrides: singleNode ? toContainerOverrides(detail.container, 'single-node') : undefined,
    nodeOverrides: toNodeOverrides(detail.nodeProperties),
    retryStrategy: detail.retryStrategy,
    propagateTags: detail.propagateTags,
    timeout: detail.timeout,
    tags: toReplacementTags(job, lineage),
    ecsPropertiesOverride: toEcsPropertiesOverride(detail.ecsProperties),
    consumableResourcePropertiesOverride: toConsumables(detail.consumableResourceProperties),
  };
  return dropUndefined(request);
}

function toReplacementTags(job: BatchJob, lineage: Lineage = { replaces: job.jobId }): Record<string, string> {
  const tags = Object.entries(job.tags ?? {}).filter(
    ([key]) =>
      !key.toLowerCase().startsWith('aws:') && key !== STALE_SINCE_TAG && key !== STALE_REF_TAG && key !== REPLACES_TAG,
  );
  return { ...Object.fromEntries(tags), [REPLACES_TAG]: toLineageTag(lineage) };
}

/**
 * SEQUENTIAL (no job id) and N_TO_N dependencies are kept: they order the copy's own children. A plain dependency on
 * a job id is kept only while the job has not started: once it has, every such dependency has SUCCEEDED, so dropping
 * it changes nothing, whereas naming it could fail once Batch has purged the finished job.
 */
function toDependencies(detail: Detail): JobDependency[] | undefined {
  const started = hasStarted(detail);
  const kept = (detail.dependsOn ?? [])
    .filter((dependency) => !dependency.jobId || dependency.type === 'N_TO_N' || !started)
    .map((dependency) => dropUndefined({ jobId: dependency.jobId || undefined, type: dependency.type }));
  return kept.length > 0 ? kept : undefined;
}

// A job (or an array child) that reached STARTING had every job-id dependency SUCCEEDED (job_dependencies.html).
function hasStarted(detail: Detail): boolean {
  if (['STARTING', 'RUNNING', 'SUCCEEDED'].includes(detail.status ?? '')) return true;
  if (typeof detail.startedAt === 'number') return true;
  const children = detail.arrayProperties?.statusSummary ?? {};
  return ['STARTING', 'RUNNING', 'SUCCEEDED'].some((status) => (children[status] ?? 0) > 0);
}

/**
 * The overrides that reproduce a container's effective command, environment (without `AWS_BATCH*`, which Batch sets
 * and refuses in overrides) and resources. Legacy `vcpus` / `memory` are sent only when no resource requirement of
 * that type exists: Batch does not let them override one. `instanceType` only applies to multi-node ranges.
 */
function toContainerOverrides(
  container: EffectiveContainer | undefined,
  scope: 'single-node' | 'node-range',
): ContainerOverrides | undefined {
  if (!container) return undefined;
  const required = new Set(container.resourceRequirements?.map((requirement) => requirement.type));
  const overrides: ContainerOverrides = {
    vcpus: required.has('VCPU') ? undefined : toPositive(container.vcpus),
    memory: required.has('MEMORY') ? undefined : toPositive(container.memory),
    command: toNonEmpty(container.command),
    instanceType: scope === 'node-range' ? container.instanceType || undefined : undefined,
    environment: toNonEmpty(container.environment?.filter((variable) => !variable.name?.startsWith('AWS_BATCH'))),
    resourceRequirements: toNonEmpty(container.resourceRequirements),
  };
  return toPresent(dropUndefined(overrides));
}

/** ECS containers are overridden by name (TaskContainerOverrides.name). */
function toEcsPropertiesOverride(ecsProperties: EffectiveEcsProperties | undefined): EcsPropertiesOverride | undefined {
  if (!ecsProperties?.taskProperties) return undefined;
  return {
    taskProperties: ecsProperties.taskProperties.map((task) => ({
      containers: (task.containers ?? []).map((container) => {
        const { command, environment, resourceRequirements } = toContainerOverrides(container, 'single-node') ?? {};
        return dropUndefined({ name: container.name, command, environment, resourceRequirements });
      }),
    })),
  };
}

/**
 * Node count (only with an open-ended range, `n:`, as SubmitJob requires) and one override per node range of the
 * detail, with the range's own `targetNodes`.
 */
function toNodeOverrides(nodes: Detail['nodeProperties']): NodeOverrides | undefined {
  if (!nodes) return undefined;
  const ranges = nodes.nodeRangeProperties ?? [];
  const openEnded = ranges.some((range) => range.targetNodes?.endsWith(':'));
  const overrides: NodeOverrides = {
    numNodes: openEnded ? nodes.numNodes : undefined,
    nodePropertyOverrides: toNonEmpty(ranges.flatMap(toNodePropertyOverride)),
  };
  return toPresent(dropUndefined(overrides));
}

function toNodePropertyOverride(range: NodeRange): NodePropertyOverride[] {
  const fields = {
    containerOverrides: toContainerOverrides(range.container, 'node-range'),
    ecsPropertiesOverride: toEcsPropertiesOverride(range.ecsProperties),
    instanceTypes: toNonEmpty(range.instanceTypes),
    consumableResourcePropertiesOverride: toConsumables(range.consumableResourceProperties),
  };
  const present = toPresent(dropUndefined(fields));
  return present && range.targetNodes ? [{ targetNodes: range.targetNodes, ...present }] : [];
}

function toConsumables(properties: ConsumableResourceProperties | undefined): ConsumableResourceProperties | undefined {
  return properties?.consumableResourceList ? { consumableResourceList: properties.consumableResourceList } : undefined;
}

function toEcsContainers(ecsProperties: EffectiveEcsProperties | undefined): readonly EffectiveContainer[] {
  return ecsProperties?.taskProperties?.flatMap((task) => task.containers ?? []) ?? [];
}

function toNonEmpty<T>(list: readonly T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? [...list] : undefined;
}

function toPositive(value: number | undefined): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

function toPresent<T extends object>(value: T): T | undefined {
  return Object.keys(value).length > 0 ? value : undefined;
}
