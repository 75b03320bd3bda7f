/**
 * A faithful copy of a job as a SubmitJob request (aws-semantics §5.6): DescribeJobs has no override objects, so
 * the effective command / environment / resource requirements are sent back as overrides.
 */

import type { KeyValuePair, ResourceRequirement, SubmitJobCommandInput } from '@aws-sdk/client-batch';
import type { BatchContainer, BatchJob } from '../core/fleet';
import { dropUndefined } from '../core/objects';
import { REPLACES_TAG } from './batch-reader';

/** Tags the reactor writes when flagging; never copied onto a replacement. */
export const STALE_SINCE_TAG = 'rotation-reactor:stale-since';
/** The reference that made a job stale. */
export const STALE_REF_TAG = 'rotation-reactor:stale-ref';

type ContainerOverrideFields = {
  command?: string[];
  environment?: KeyValuePair[];
  resourceRequirements?: ResourceRequirement[];
};

// "Environment variables cannot start with AWS_BATCH": Batch sets them itself (job id, array index…).
const withoutBatchVariables = (environment: unknown) =>
  (environment as KeyValuePair[] | undefined)?.filter((v) => !v.name?.startsWith('AWS_BATCH'));

function toContainerOverrides(container: BatchContainer | undefined): ContainerOverrideFields | undefined {
  if (!container) return undefined;
  const overrides: ContainerOverrideFields = {
    command: container.command as string[] | undefined,
    environment: withoutBatchVariables(container.environment),
    resourceRequirements: container.resourceRequirements as ResourceRequirement[] | undefined,
  };
  return Object.values(overrides).some((v) => v !== undefined) ? dropUndefined(overrides) : undefined;
}

function toReplacementTags(job: BatchJob): Record<string, string> {
  const tags = Object.entries(job.tags ?? {}).filter(
    ([key]) => !key.startsWith('aws:') && key !== STALE_SINCE_TAG && key !== STALE_REF_TAG && key !== REPLACES_TAG,
  );
  return { ...Object.fromEntries(tags), [REPLACES_TAG]: job.jobId };
}

/**
 * Maps a job detail to the SubmitJob request of its replacement: same queue, exact definition revision,
 * parameters, effective overrides, array size, node count, retry strategy, timeout, tags (+ lineage),
 * propagateTags, share identifier, scheduling priority. `dependsOn` is dropped: the jobs it names have usually
 * finished or are gone.
 */
export function toResubmission(job: BatchJob): SubmitJobCommandInput {
  const ecsTasks = job.ecsProperties?.taskProperties;
  const openEndedRange = job.nodeProperties?.nodeRangeProperties?.some((r) => r.targetNodes?.endsWith(':'));
  const request: SubmitJobCommandInput = {
    jobName: job.jobName,
    jobQueue: job.jobQueue,
    jobDefinition: job.jobDefinition,
    parameters: job.parameters as Record<string, string> | undefined,
    containerOverrides: job.ecsProperties || job.nodeProperties ? undefined : toContainerOverrides(job.container),
    ecsPropertiesOverride: ecsTasks
      ? {
          taskProperties: ecsTasks.map((task) => ({
            containers: (task.containers ?? []).map((c) => ({ name: c.name, ...toContainerOverrides(c) })),
          })),
        }
      : undefined,
    // numNodes may only be overridden when the definition has an open-ended node range (`n:`).
    nodeOverrides:
      openEndedRange && job.nodeProperties?.numNodes ? { numNodes: job.nodeProperties.numNodes } : undefined,
    arrayProperties: job.arrayProperties?.size ? { size: job.arrayProperties.size } : undefined,
    retryStrategy: job.retryStrategy as SubmitJobCommandInput['retryStrategy'],
    timeout: job.timeout as SubmitJobCommandInput['timeout'],
    tags: toReplacementTags(job),
    propagateTags: job.propagateTags as boolean | undefined,
    shareIdentifier: job.shareIdentifier as string | undefined,
    schedulingPriorityOverride: job.schedulingPriority as number | undefined,
  };
  return dropUndefined(request);
}
