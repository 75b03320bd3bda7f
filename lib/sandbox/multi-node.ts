import type { BatchContainer, BatchNodeProperties } from '../core/fleet';
import { clientError } from './api-error';
import {
  checkContainerOverrides,
  checkEcsPropertiesOverride,
  toEffectiveContainer,
  toEffectiveEcsProperties,
} from './container-overrides';
import { type Body, optionalInteger, toBody, toObjectList } from './request-body';

type NodeRange = NonNullable<BatchNodeProperties['nodeRangeProperties']>[number];

/** Checks a SubmitJob `nodeOverrides` object. */
export function checkNodeOverrides(nodeOverrides: Body): void {
  optionalInteger(nodeOverrides, 'numNodes', 1, 1000);
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
  }
}

/** A multi-node definition's `nodeProperties` with `nodeOverrides` applied (overrides match ranges by `targetNodes`). */
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
    };
  });
  return { ...base, numNodes, nodeRangeProperties: ranges };
}

/** The range (last match wins) whose `targetNodes` (`i`, `i:j`, `i:`, `:j`) covers node `index`. */
export function findNodeRange(properties: BatchNodeProperties, index: number): NodeRange | undefined {
  const last = (properties.numNodes ?? 1) - 1;
  return toRanges(properties).findLast((range) => {
    const [from, to] = (range.targetNodes ?? '').split(':');
    const start = from === '' || from === undefined ? 0 : Number(from);
    const end = to === undefined ? start : to === '' ? last : Number(to);
    return index >= start && index <= end;
  });
}

/** The container a node runs, if its range has one. */
export function toNodeContainer(properties: BatchNodeProperties, index: number): BatchContainer | undefined {
  return findNodeRange(properties, index)?.container;
}

function toRanges(properties: BatchNodeProperties): readonly NodeRange[] {
  return Array.isArray(properties.nodeRangeProperties) ? properties.nodeRangeProperties : [];
}
