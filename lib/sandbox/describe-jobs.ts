import { clientError } from './api-error';
import type { BatchState } from './batch-state';
import { toJobDetail } from './job-view';
import { type Body, optionalStringList } from './request-body';

/** `DescribeJobs`: up to 100 job ids (more is a ClientException); unknown ids are silently omitted. */
export function describeJobs(state: BatchState, body: Body): Record<string, unknown> {
  const ids = optionalStringList(body, 'jobs');
  if (ids === undefined) throw clientError(`'jobs' is a required field`);
  if (ids.length > 100) throw clientError(`jobs can contain up to 100 job IDs, got ${ids.length}`);
  const jobs = [];
  for (const id of new Set(ids)) {
    const record = state.jobs.get(id);
    if (record) jobs.push(toJobDetail(state, record));
  }
  return { jobs };
}
