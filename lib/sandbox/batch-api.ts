import type { BatchState } from './batch-state';
import { describeJobs } from './describe-jobs';
import { deregisterJobDefinition, describeJobDefinitions, registerJobDefinition } from './job-definitions';
import { createJobQueue, describeJobQueues } from './job-queues';
import { listJobs } from './list-jobs';
import type { Body } from './request-body';
import type { BatchOperation } from './routes';
import { stopJob } from './stop-job';
import { submitJob } from './submit-job';
import { listTagsForResource, tagResource, untagResource } from './tags';

/** Path parameters a Batch REST-JSON route carries besides the body. */
export interface BatchRouteParams {
  readonly resourceArn?: string;
  readonly tagKeys?: readonly string[];
}

type Handler = (state: BatchState, body: Body, params: BatchRouteParams) => Record<string, unknown>;

/** Runs one Batch operation against the state and returns its JSON response. */
export const batchHandlers: Readonly<Record<BatchOperation, Handler>> = {
  DescribeJobQueues: describeJobQueues,
  CreateJobQueue: createJobQueue,
  DescribeJobDefinitions: describeJobDefinitions,
  RegisterJobDefinition: registerJobDefinition,
  DeregisterJobDefinition: deregisterJobDefinition,
  ListJobs: listJobs,
  DescribeJobs: describeJobs,
  SubmitJob: submitJob,
  TerminateJob: (state, body) => stopJob(state, body, 'terminate'),
  CancelJob: (state, body) => stopJob(state, body, 'cancel'),
  TagResource: (state, body, params) => tagResource(state, params.resourceArn ?? '', body),
  UntagResource: (state, _, params) => untagResource(state, params.resourceArn ?? '', params.tagKeys ?? []),
  ListTagsForResource: (state, _, params) => listTagsForResource(state, params.resourceArn ?? ''),
};
