import { clientError } from './api-error';
import { type Body, optionalInteger, toObjectList } from './request-body';

/**
 * Checks a ConsumableResourceProperties object: a list of `{consumableResource, quantity}`. The consumable resources
 * themselves (CreateConsumableResource) are not modelled, so any name is accepted.
 */
export function checkConsumableResources(properties: Body, path: string): void {
  const list = properties.consumableResourceList == null ? [] : toObjectList(properties.consumableResourceList, path);
  for (const requirement of list) {
    if (typeof requirement.consumableResource !== 'string' || requirement.consumableResource === '') {
      throw clientError(`${path}.consumableResourceList[].consumableResource must name a consumable resource`);
    }
    optionalInteger(requirement, 'quantity', 1, Number.MAX_SAFE_INTEGER);
  }
}
