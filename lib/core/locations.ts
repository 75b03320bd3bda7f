/**
 * Every place a job definition or job can reference a parameter or secret (aws-semantics §3), each found
 * reference tagged with its location, e.g. `nodeProperties.nodeRangeProperties[1].container.secrets[0]`.
 */
import type { BatchContainer, BatchEcsProperties, BatchJob, BatchJobDefinition, BatchNodeProperties } from './fleet';
import { type Home, parseReference, type Reference } from './reference';

/** A parsed reference and where it was found. */
export interface LocatedReference {
  readonly location: string;
  readonly reference: Reference;
}

/** The specification fields shared by definitions (`containerProperties`) and job details (`container`). */
type Spec = { container?: BatchContainer; nodeProperties?: BatchNodeProperties; ecsProperties?: BatchEcsProperties };

function fromContainer(container: BatchContainer | undefined, at: string, home: Home): LocatedReference[] {
  if (!container) return [];
  const found: LocatedReference[] = [];
  const add = (location: string, valueFrom: unknown) => {
    found.push({
      location,
      reference:
        typeof valueFrom === 'string'
          ? parseReference(valueFrom, home)
          : { kind: 'invalid', valueFrom: String(valueFrom), reason: 'valueFrom is missing or not a string' },
    });
  };
  for (const [i, secret] of (container.secrets ?? []).entries()) add(`${at}.secrets[${i}]`, secret.valueFrom);
  for (const [i, secret] of (container.logConfiguration?.secretOptions ?? []).entries()) {
    add(`${at}.logConfiguration.secretOptions[${i}]`, secret.valueFrom);
  }
  if (container.repositoryCredentials) {
    add(`${at}.repositoryCredentials.credentialsParameter`, container.repositoryCredentials.credentialsParameter);
  }
  return found;
}

function fromEcs(ecs: BatchEcsProperties | undefined, at: string, home: Home): LocatedReference[] {
  return (ecs?.taskProperties ?? []).flatMap((task, t) =>
    (task.containers ?? []).flatMap((container, c) =>
      fromContainer(container, `${at}.taskProperties[${t}].containers[${c}]`, home),
    ),
  );
}

function fromSpec(spec: Spec, containerField: string, home: Home): LocatedReference[] {
  const nodeRanges = spec.nodeProperties?.nodeRangeProperties ?? [];
  return [
    ...fromContainer(spec.container, containerField, home),
    ...nodeRanges.flatMap((range, r) => [
      ...fromContainer(range.container, `nodeProperties.nodeRangeProperties[${r}].container`, home),
      ...fromEcs(range.ecsProperties, `nodeProperties.nodeRangeProperties[${r}].ecsProperties`, home),
    ]),
    ...fromEcs(spec.ecsProperties, 'ecsProperties', home),
  ];
}

/** References of a job definition revision (what every job submitted with it reads at start). */
export function toDefinitionReferences(definition: BatchJobDefinition, home: Home): LocatedReference[] {
  return fromSpec({ ...definition, container: definition.containerProperties }, 'containerProperties', home);
}

/** References of a job detail's effective specification (`container`, node ranges, ECS containers). */
export function toJobReferences(job: BatchJob, home: Home): LocatedReference[] {
  return fromSpec(job, 'container', home);
}

/** True when a node range's `targetNodes` (`n`, `n:m`, `n:`, `:m`) includes the node index. */
export function coversNode(targetNodes: string | undefined, nodeIndex: number): boolean {
  if (!targetNodes) return false;
  const [from, to] = targetNodes.includes(':') ? targetNodes.split(':') : [targetNodes, targetNodes];
  const low = from === '' ? 0 : Number(from);
  const high = to === '' ? Number.POSITIVE_INFINITY : Number(to);
  return Number.isInteger(low) && nodeIndex >= low && nodeIndex <= high;
}

/** References one node of a multi-node job reads: those of the node ranges that include its index. */
export function toNodeReferences(definition: BatchJobDefinition, nodeIndex: number, home: Home): LocatedReference[] {
  const ranges = definition.nodeProperties?.nodeRangeProperties ?? [];
  const prefixes = ranges.flatMap((range, r) =>
    coversNode(range.targetNodes, nodeIndex) ? [`nodeProperties.nodeRangeProperties[${r}].`] : [],
  );
  return toDefinitionReferences(definition, home).filter(({ location }) =>
    prefixes.some((prefix) => location.startsWith(prefix)),
  );
}
