import type { BatchJobQueue } from '../core/fleet';
import { clientError } from './api-error';
import { toBatchArn } from './arns';
import { addQueue, type BatchState, findQueue, type QueueRecord } from './batch-state';
import { scanPage } from './pagination';
import {
  type Body,
  optionalArray,
  optionalInteger,
  optionalString,
  optionalStringList,
  optionalStringMap,
  requiredString,
} from './request-body';
import { checkTags } from './tag-rules';

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** The `DescribeJobQueues` JobQueueDetail of a queue. */
export function toQueueDetail(record: QueueRecord): BatchJobQueue {
  return { ...record.detail, state: record.state, tags: { ...record.tags } };
}

/** `DescribeJobQueues`: the named queues (≤ 100, names or ARNs, unknown ones omitted) or all, paginated. */
export function describeJobQueues(state: BatchState, body: Body): Record<string, unknown> {
  const names = optionalStringList(body, 'jobQueues', 100);
  const limit = optionalInteger(body, 'maxResults', 1, 100) ?? 100;
  const selected = names === undefined ? state.queues : unique(names.map((name) => findQueue(state, name)));
  const page = scanPage('DescribeJobQueues', selected, optionalString(body, 'nextToken'), limit, toQueueDetail);
  return { jobQueues: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

/** `CreateJobQueue`: a new VALID queue (ENABLED unless `state: DISABLED`). */
export function createJobQueue(state: BatchState, body: Body): Record<string, unknown> {
  const name = requiredString(body, 'jobQueueName');
  if (!namePattern.test(name)) {
    throw clientError(`jobQueueName ${name} must be up to 128 letters, numbers, hyphens and underscores`);
  }
  if (state.queuesByName.has(name)) throw clientError(`Job queue ${name} already exists`);
  const priority = optionalInteger(body, 'priority', 0, 1000);
  if (priority === undefined) throw clientError(`'priority' is a required field`);
  const queueState = optionalString(body, 'state') ?? 'ENABLED';
  if (queueState !== 'ENABLED' && queueState !== 'DISABLED') {
    throw clientError(`state ${queueState} must be one of ENABLED | DISABLED`);
  }
  const tags = optionalStringMap(body, 'tags') ?? {};
  checkTags(tags);
  const schedulingPolicyArn = optionalString(body, 'schedulingPolicyArn');
  const jobQueueType = optionalString(body, 'jobQueueType');
  const arn = toBatchArn(state.scope, 'job-queue', name);
  addQueue(state, {
    jobQueueName: name,
    jobQueueArn: arn,
    state: queueState,
    ...(schedulingPolicyArn === undefined ? {} : { schedulingPolicyArn }),
    status: 'VALID',
    statusReason: 'JobQueue Healthy',
    priority,
    computeEnvironmentOrder: optionalArray(body, 'computeEnvironmentOrder') ?? [],
    ...(optionalArray(body, 'serviceEnvironmentOrder')
      ? { serviceEnvironmentOrder: body.serviceEnvironmentOrder }
      : {}),
    ...(jobQueueType === undefined ? {} : { jobQueueType }),
    jobStateTimeLimitActions: optionalArray(body, 'jobStateTimeLimitActions') ?? [],
    tags,
  });
  return { jobQueueName: name, jobQueueArn: arn };
}

function unique<T>(items: readonly (T | undefined)[]): T[] {
  return [...new Set(items.filter((item): item is T => item !== undefined))];
}
