import type { BatchJobDefinition } from '../core/fleet';
import { clientError } from './api-error';
import { toBatchArn } from './arns';
import { addDefinition, type BatchState, type DefinitionRecord, findRevision } from './batch-state';
import { scanPage } from './pagination';
import {
  type Body,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringList,
  optionalStringMap,
  requiredString,
  toBody,
  toObjectList,
} from './request-body';
import { checkTags } from './tag-rules';

const namePattern = /^[A-Za-z0-9_-]{1,128}$/;

// Batch echoes these list fields back as [] when a definition leaves them out (moto does the same).
const containerDefaults = {
  volumes: [],
  environment: [],
  mountPoints: [],
  ulimits: [],
  resourceRequirements: [],
  secrets: [],
};

/** The `DescribeJobDefinitions` JobDefinition of a revision. */
export function toDefinitionDetail(record: DefinitionRecord): BatchJobDefinition {
  return { ...record.definition, status: record.status, tags: { ...record.tags } };
}

/**
 * `DescribeJobDefinitions`: either up to 100 revisions by ARN or `name:revision` (alone, as AWS requires), or all
 * revisions filtered by `jobDefinitionName` and `status`, paginated (≤ 100 per page).
 */
export function describeJobDefinitions(state: BatchState, body: Body): Record<string, unknown> {
  const refs = optionalStringList(body, 'jobDefinitions', 100);
  const name = optionalString(body, 'jobDefinitionName');
  const status = optionalString(body, 'status');
  const limit = optionalInteger(body, 'maxResults', 1, 100) ?? 100;
  const token = optionalString(body, 'nextToken');
  if (refs !== undefined) {
    const others = ['jobDefinitionName', 'status', 'maxResults', 'nextToken'].filter((key) => body[key] != null);
    if (others.length > 0)
      throw clientError(`jobDefinitions can't be used with other parameters (${others.join(', ')})`);
    return { jobDefinitions: resolveRefs(state, refs).map(toDefinitionDetail) };
  }
  if (status !== undefined && status !== 'ACTIVE' && status !== 'INACTIVE') {
    throw clientError(`status ${status} must be one of ACTIVE | INACTIVE`);
  }
  const selected = name === undefined ? state.definitions : (state.definitionsByName.get(name) ?? []);
  const page = scanPage('DescribeJobDefinitions', selected, token, limit, (record) =>
    status === undefined || record.status === status ? toDefinitionDetail(record) : undefined,
  );
  return { jobDefinitions: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

/** `RegisterJobDefinition`: the next revision of the name, ACTIVE. */
export function registerJobDefinition(state: BatchState, body: Body): Record<string, unknown> {
  const name = requiredString(body, 'jobDefinitionName');
  if (!namePattern.test(name)) {
    throw clientError(`jobDefinitionName ${name} must be up to 128 letters, numbers, hyphens and underscores`);
  }
  const type = requiredString(body, 'type');
  if (type !== 'container' && type !== 'multinode') throw clientError(`type must be one of container | multinode`);
  const containerProperties = optionalObject(body, 'containerProperties');
  const nodeProperties = optionalObject(body, 'nodeProperties');
  const ecsProperties = optionalObject(body, 'ecsProperties');
  const eksProperties = optionalObject(body, 'eksProperties');
  if (type === 'container' && !containerProperties && !ecsProperties && !eksProperties) {
    throw clientError('containerProperties, ecsProperties or eksProperties must be provided for type container');
  }
  if (type === 'multinode' && !nodeProperties) throw clientError('nodeProperties must be provided for type multinode');
  if (containerProperties && typeof containerProperties.image !== 'string') {
    throw clientError('containerProperties must contain image');
  }
  if (nodeProperties) checkNodeProperties(nodeProperties);
  if (ecsProperties) checkEcsProperties(ecsProperties, 'ecsProperties');
  const tags = optionalStringMap(body, 'tags') ?? {};
  checkTags(tags);
  const revisions = state.definitionsByName.get(name);
  const revision = (revisions?.[revisions.length - 1]?.revision ?? 0) + 1;
  const arn = toBatchArn(state.scope, 'job-definition', `${name}:${revision}`);
  const optional = {
    schedulingPriority: optionalInteger(body, 'schedulingPriority', 0, 9999),
    retryStrategy: optionalObject(body, 'retryStrategy'),
    containerProperties: containerProperties && { ...containerDefaults, ...containerProperties },
    nodeProperties,
    ecsProperties,
    eksProperties,
    timeout: optionalObject(body, 'timeout'),
    propagateTags: optionalBoolean(body, 'propagateTags'),
    consumableResourceProperties: optionalObject(body, 'consumableResourceProperties'),
  };
  addDefinition(state, {
    jobDefinitionName: name,
    jobDefinitionArn: arn,
    revision,
    status: 'ACTIVE',
    type,
    parameters: optionalStringMap(body, 'parameters') ?? {},
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    platformCapabilities: optionalStringList(body, 'platformCapabilities') ?? ['EC2'],
    containerOrchestrationType: eksProperties ? 'EKS' : 'ECS',
    tags,
  });
  return { jobDefinitionName: name, jobDefinitionArn: arn, revision };
}

/** `DeregisterJobDefinition`: the revision becomes INACTIVE (idempotent). */
export function deregisterJobDefinition(state: BatchState, body: Body): Record<string, unknown> {
  const ref = requiredString(body, 'jobDefinition');
  const record = findRevision(state, ref);
  if (record === undefined) throw clientError(`Job definition ${ref} does not exist`);
  record.status = 'INACTIVE';
  return {};
}

function resolveRefs(state: BatchState, refs: readonly string[]): DefinitionRecord[] {
  const found = new Set<DefinitionRecord>();
  for (const ref of refs) {
    const revision = findRevision(state, ref);
    if (revision) found.add(revision);
    else if (!ref.includes(':')) for (const record of state.definitionsByName.get(ref) ?? []) found.add(record);
  }
  return [...found];
}

function checkNodeProperties(nodeProperties: Body): void {
  const numNodes = optionalInteger(nodeProperties, 'numNodes', 1, 1000);
  const mainNode = optionalInteger(nodeProperties, 'mainNode', 0, 999);
  const ranges = optionalArray(nodeProperties, 'nodeRangeProperties');
  if (numNodes === undefined || mainNode === undefined || !ranges || ranges.length === 0) {
    throw clientError('nodeProperties must contain numNodes, mainNode and nodeRangeProperties');
  }
  if (mainNode >= numNodes) throw clientError(`nodeProperties.mainNode ${mainNode} must be less than numNodes`);
  for (const [index, range] of toObjectList(ranges, 'nodeProperties.nodeRangeProperties').entries()) {
    const path = `nodeProperties.nodeRangeProperties[${index}]`;
    if (typeof range.targetNodes !== 'string') throw clientError(`${path}.targetNodes is required`);
    if (range.container != null && typeof toBody(range.container, `${path}.container`).image !== 'string') {
      throw clientError(`${path}.container must contain image`);
    }
    if (range.ecsProperties != null) checkEcsProperties(toBody(range.ecsProperties, path), `${path}.ecsProperties`);
  }
}

function checkEcsProperties(ecsProperties: Body, path: string): void {
  const tasks = toObjectList(ecsProperties.taskProperties ?? [], `${path}.taskProperties`);
  for (const [index, task] of tasks.entries()) {
    toObjectList(task.containers ?? [], `${path}.taskProperties[${index}].containers`);
  }
}
