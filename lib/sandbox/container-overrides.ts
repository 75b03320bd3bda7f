import type { BatchContainer } from '../core/fleet';
import { clientError } from './api-error';
import { type Body, optionalArray, optionalInteger, toObjectList } from './request-body';

/**
 * Checks a `containerOverrides`-like object (also the containers of `ecsPropertiesOverride`): `command` entries
 * must be non-empty strings, no environment variable may start with `AWS_BATCH` (Batch reserves the prefix), and the
 * legacy `vcpus` / `memory` are positive integers.
 */
export function checkContainerOverrides(overrides: Body, path: string): void {
  optionalInteger(overrides, 'vcpus', 1, Number.MAX_SAFE_INTEGER);
  optionalInteger(overrides, 'memory', 1, Number.MAX_SAFE_INTEGER);
  const command = optionalArray(overrides, 'command');
  if (command?.some((part) => typeof part !== 'string' || part === '')) {
    throw clientError(`${path}.command must be a list of non-empty strings`);
  }
  const environment = overrides.environment == null ? [] : toObjectList(overrides.environment, `${path}.environment`);
  for (const variable of environment) {
    if (typeof variable.name !== 'string' || variable.name === '') {
      throw clientError(`${path}.environment entries need a name`);
    }
    if (variable.name.startsWith('AWS_BATCH')) {
      throw clientError(`Environment variable ${variable.name}: environment variables cannot start with AWS_BATCH`);
    }
  }
  if (overrides.resourceRequirements != null) {
    for (const requirement of toObjectList(overrides.resourceRequirements, `${path}.resourceRequirements`)) {
      if (typeof requirement.type !== 'string' || typeof requirement.value !== 'string') {
        throw clientError(`${path}.resourceRequirements entries need a type and a value (strings)`);
      }
    }
  }
}

/** Merges overrides into a container: command and scalars replace, environment by name, requirements by type. */
export function toEffectiveContainer(base: BatchContainer, overrides: Body | undefined): BatchContainer {
  if (overrides === undefined) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const field of ['command', 'vcpus', 'memory', 'instanceType'] as const) {
    if (overrides[field] != null) merged[field] = overrides[field];
  }
  if (overrides.environment != null) {
    merged.environment = mergeBy('name', base.environment, overrides.environment as readonly Body[]);
  }
  if (overrides.resourceRequirements != null) {
    merged.resourceRequirements = mergeBy('type', base.resourceRequirements, overrides.resourceRequirements as Body[]);
  }
  return merged as BatchContainer;
}

/** Merges an `ecsPropertiesOverride` into a definition's `ecsProperties`, container by container (by name). */
export function toEffectiveEcsProperties(base: Body, override: Body | undefined): Body {
  const overrideTasks = override?.taskProperties == null ? [] : toObjectList(override.taskProperties, 'taskProperties');
  if (overrideTasks.length === 0) return base;
  const tasks = Array.isArray(base.taskProperties) ? (base.taskProperties as readonly Body[]) : [];
  return {
    ...base,
    taskProperties: tasks.map((task, index) => {
      const overrideContainers = (overrideTasks[index]?.containers as readonly Body[] | undefined) ?? [];
      const containers = Array.isArray(task.containers) ? (task.containers as readonly BatchContainer[]) : [];
      return {
        ...task,
        containers: containers.map((container, position) => {
          const match =
            overrideContainers.find((candidate) => candidate.name !== undefined && candidate.name === container.name) ??
            (containers.length === 1 && overrideContainers.length === 1 && overrideContainers[0].name === undefined
              ? overrideContainers[0]
              : undefined);
          return match ? toEffectiveContainer(container, match) : containers[position];
        }),
      };
    }),
  };
}

/** Checks every container of an `ecsPropertiesOverride`. */
export function checkEcsPropertiesOverride(override: Body): void {
  const tasks = override.taskProperties == null ? [] : toObjectList(override.taskProperties, 'taskProperties');
  for (const [taskIndex, task] of tasks.entries()) {
    const containers = task.containers == null ? [] : toObjectList(task.containers, `taskProperties[${taskIndex}]`);
    for (const [index, container] of containers.entries()) {
      checkContainerOverrides(container, `ecsPropertiesOverride.taskProperties[${taskIndex}].containers[${index}]`);
    }
  }
}

function mergeBy(key: 'name' | 'type', base: unknown, overrides: readonly unknown[]): unknown[] {
  const merged = new Map<unknown, unknown>();
  for (const item of Array.isArray(base) ? base : []) merged.set((item as Body)[key], item);
  for (const item of overrides) merged.set((item as Body)[key], item);
  return [...merged.values()];
}
