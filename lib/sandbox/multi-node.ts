import type { BatchContainer, BatchNodeProperties } from '../core/fleet';
import { clientError } from './api-error';
import { checkConsumableResources } from './consumable-resources';
import {
  checkContainerOverrides,
  checkEcsPropertiesOverride,
  toEffectiveContainer,
  toEffectiveEcsProperties,
} from './container-overrides';
import { type Body, optionalArray, optionalInteger, toBody, toObjectList } from './request-body';

type NodeRange = NonNullable<BatchNodeProperties['nodeRangeProperties']>[number];

/**
 * Checks a SubmitJob `nodeOverrides` object against the definition's node properties. A `numNodes` override needs an
 * open-ended range (`n:`) whose lower bound, like the main node index, is below the new node count (NodeOverrides).
 */
export function checkNodeOverrides(nodeOverrides: Body, base: BatchNodeProperties): void {
  const numNodes = optionalInteger(nodeOverrides, 'numNodes', 1, 1000);
  if (numNodes !== undefined) checkNumNodes(numNodes, base);
  const overrides = nodeOverrides.nodePropertyOverrides;
  if (overrides == null) return;
  for (const [index, override] of toObjectList(overrides, 'nodeOverrides.nodePropertyOverrides').entries()) {
    const path = `nodeOverrides.nodePropertyOverrides[${index}]`;
    if (typeof override.targetNodes !== 'string') throw clientError(`${path}.targetNodes is required`);
    if (override.containerOverrides != null) {
      const containerOverrides = toBody(override.containerOverrides, `${path}.containerOverrides`);
      checkContainerOverrides(containerOverrides, `${path}.containerOverrides`);
    }
    if (override.ecsPropertiesOverride != null) {
      checkEcsPropertiesOverride(toBody(override.ecsPropertiesOverride, `${path}.ecsPropertiesOverride`));
    }
    const instanceTypes = optionalArray(override, 'instanceTypes');
    if (instanceTypes?.some((type) => typeof type !== 'string')) {
      throw clientError(`${path}.instanceTypes must be a list of strings`);
    }
    const consumables = override.consumableResourcePropertiesOverride;
    if (consumables != null) {
      const consumablesPath = `${path}.consumableResourcePropertiesOverride`;
      checkConsumableResources(toBody(consumables, consumablesPath), consumablesPath);
    }
  }
}

function checkNumNodes(numNodes: number, base: BatchNodeProperties): void {
  const openEnded = toRanges(base).filter((range) => range.targetNodes?.endsWith(':'));
  if (openEnded.length === 0) {
    throw clientError(
      'nodeOverrides.numNodes needs a node range with an open upper boundary (n:) in the job definition',
    );
  }
  if (openEnded.some((range) => toStart(range.targetNodes ?? '') >= numNodes)) {
    throw clientError(`nodeOverrides.numNodes ${numNodes} must exceed the lower boundary of the open node range`);
  }
  if ((base.mainNode ?? 0) >= numNodes) {
    throw clientError(`nodeOverrides.numNodes ${numNodes} must exceed the main node index ${base.mainNode}`);
  }
}

/**
 * A multi-node definition's `nodeProperties` with `nodeOverrides` applied, as DescribeJobs returns them: each override
 * is merged into the range with the same `targetNodes` (container, ECS containers by name, instance types, consumable
 * resources). How Batch applies an override whose range matches no definition range is not documented; the sandbox
 * ignores it.
 */
export function toEffectiveNodeProperties(
  base: BatchNodeProperties,
  nodeOverrides: Body | undefined,
): BatchNodeProperties {
  const numNodes = (nodeOverrides?.numNodes as number | undefined) ?? base.numNodes;
  const overrides = (nodeOverrides?.nodePropertyOverrides as readonly Body[] | undefined) ?? [];
  const ranges = toRanges(base).map((range) => {
    const override = overrides.find((candidate) => candidate.targetNodes === range.targetNodes);
    if (override === undefined) return range;
    return {
      ...range,
      ...(range.container
        ? { container: toEffectiveContainer(range.container, override.containerOverrides as Body | undefined) }
        : {}),
      ...(range.ecsProperties
        ? {
            ecsProperties: toEffectiveEcsProperties(
              range.ecsProperties as Body,
              override.ecsPropertiesOverride as Body,
            ),
          }
        : {}),
      ...(override.instanceTypes == null ? {} : { instanceTypes: override.instanceTypes }),
      ...(override.consumableResourcePropertiesOverride == null
        ? {}
        : { consumableResourceProperties: override.consumableResourcePropertiesOverride }),
    };
  });
  return { ...base, numNodes, nodeRangeProperties: ranges };
}

/** The range (last match wins) whose `targetNodes` (`i`, `i:j`, `i:`, `:j`) covers node `index`. */
export function findNodeRange(properties: BatchNodeProperties, index: number): NodeRange | undefined {
  const last = (properties.numNodes ?? 1) - 1;
  return toRanges(properties).findLast((range) => {
    const [, to] = (range.targetNodes ?? '').split(':');
    const start = toStart(range.targetNodes ?? '');
    const end = to === undefined ? start : to === '' ? last : Number(to);
    return index >= start && index <= end;
  });
}

/** The container a node runs, if its range has one. */
export function toNodeContainer(properties: BatchNodeProperties, index: number): BatchContainer | undefined {
  return findNodeRange(properties, index)?.container;
}

/** The first node of a range (`:n` starts at 0). */
function toStart(targetNodes: string): number {
  const [from] = targetNodes.split(':');
  return from === '' ? 0 : Number(from);
}

function toRanges(properties: BatchNodeProperties): readonly NodeRange[] {
  return Array.isArray(properties.nodeRangeProperties) ? properties.nodeRangeProperties : [];
}
