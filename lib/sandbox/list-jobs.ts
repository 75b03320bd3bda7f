import type { JobStatus } from '../core/fleet';
import { clientError } from './api-error';
import { type BatchState, findQueue } from './batch-state';
import type { JobRecord } from './job-record';
import type { JobState } from './job-state';
import { toCurrentState, toJobSummary } from './job-view';
import { type Page, parseNextToken, scanPage, toNextToken } from './pagination';
import { type Body, optionalInteger, optionalString, toObjectList } from './request-body';

const jobStatuses = new Set<string>(['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED']);
const filterNames = new Set([
  'JOB_NAME',
  'JOB_DEFINITION',
  'BEFORE_CREATED_AT',
  'AFTER_CREATED_AT',
  'SHARE_IDENTIFIER',
]);

type Summary = Record<string, unknown>;
type Match = (record: JobRecord, current: JobState) => boolean;

/**
 * `ListJobs`: exactly one of `jobQueue` (top-level jobs only), `arrayJobId` (children) or `multiNodeJobId` (nodes).
 * Without filters: one status (default RUNNING), up to 1000 per page, in submission order. With a filter: every
 * status (SHARE_IDENTIFIER alone honours `jobStatus`), up to 100 per page, newest `createdAt` first.
 */
export function listJobs(state: BatchState, body: Body): Record<string, unknown> {
  const jobs = selectJobs(state, body);
  const jobStatus = optionalString(body, 'jobStatus');
  if (jobStatus !== undefined && !jobStatuses.has(jobStatus)) {
    throw clientError(`jobStatus ${jobStatus} is not one of ${[...jobStatuses].join(' | ')}`);
  }
  const token = optionalString(body, 'nextToken');
  const filters = body.filters == null ? [] : toObjectList(body.filters, 'filters');
  const page =
    filters.length === 0
      ? listByStatus(state, jobs, (jobStatus as JobStatus | undefined) ?? 'RUNNING', body, token)
      : listByFilter(state, jobs, toFilterMatch(state, filters, jobStatus), body, token);
  return { jobSummaryList: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

function selectJobs(state: BatchState, body: Body): readonly JobRecord[] {
  const queueRef = optionalString(body, 'jobQueue');
  const arrayJobId = optionalString(body, 'arrayJobId');
  const multiNodeJobId = optionalString(body, 'multiNodeJobId');
  const given = [queueRef, arrayJobId, multiNodeJobId].filter((value) => value !== undefined).length;
  if (given !== 1) throw clientError('You must specify only one of jobQueue, arrayJobId or multiNodeJobId');
  if (queueRef !== undefined) {
    const queue = findQueue(state, queueRef);
    const jobs = state.jobsByQueue.get(queue?.arn ?? queueRef);
    if (queue === undefined && jobs === undefined) throw clientError(`Job queue ${queueRef} does not exist`);
    return jobs ?? [];
  }
  const parentId = (arrayJobId ?? multiNodeJobId)!;
  const kind = arrayJobId !== undefined ? 'array-child' : 'multi-node-node';
  return (state.childrenByParent.get(parentId) ?? []).filter((child) => child.kind === kind);
}

function listByStatus(
  state: BatchState,
  jobs: readonly JobRecord[],
  status: JobStatus,
  body: Body,
  token: string | undefined,
): Page<Summary> {
  const limit = Math.min(optionalInteger(body, 'maxResults', 1, Number.MAX_SAFE_INTEGER) ?? 1000, 1000);
  return scanPage('ListJobs', jobs, token, limit, (record) => {
    const current = toCurrentState(state, record);
    return current.status === status ? toJobSummary(state, record, current) : undefined;
  });
}

function listByFilter(
  state: BatchState,
  jobs: readonly JobRecord[],
  match: Match,
  body: Body,
  token: string | undefined,
): Page<Summary> {
  const limit = Math.min(optionalInteger(body, 'maxResults', 1, Number.MAX_SAFE_INTEGER) ?? 100, 100);
  const start = parseNextToken('ListJobs', token);
  const matched: { record: JobRecord; current: JobState }[] = [];
  for (const record of jobs) {
    const current = toCurrentState(state, record);
    if (match(record, current)) matched.push({ record, current });
  }
  matched.sort((a, b) => b.record.createdAt - a.record.createdAt || (a.record.jobId < b.record.jobId ? -1 : 1));
  const items = matched.slice(start, start + limit).map(({ record, current }) => toJobSummary(state, record, current));
  return start + limit < matched.length ? { items, nextToken: toNextToken('ListJobs', start + limit) } : { items };
}

function toFilterMatch(state: BatchState, filters: readonly Body[], jobStatus: string | undefined): Match {
  if (filters.length > 1) throw clientError('Only one filter can be used at a time');
  const [filter] = filters;
  const name = filter.name;
  if (typeof name !== 'string' || !filterNames.has(name)) {
    throw clientError(`filters.name ${String(name)} is not one of ${[...filterNames].join(' | ')}`);
  }
  const values = filter.values;
  if (!Array.isArray(values) || values.length === 0 || values.some((value) => typeof value !== 'string')) {
    throw clientError(`filters.values of ${name} must be a non-empty list of strings`);
  }
  const wanted = values as string[];
  switch (name) {
    case 'JOB_NAME': {
      const tests = wanted.map((value) => toNameTest(value.toLowerCase()));
      return (record) => tests.some((test) => test(record.jobName.toLowerCase()));
    }
    case 'JOB_DEFINITION': {
      const tests = wanted.map((value) => toDefinitionTest(state, value));
      return (record) => tests.some((test) => test(record.jobDefinition));
    }
    case 'BEFORE_CREATED_AT':
    case 'AFTER_CREATED_AT': {
      const bound = Number(wanted[0]);
      if (!/^\d+$/.test(wanted[0])) throw clientError(`filters.values of ${name} must be epoch milliseconds`);
      return name === 'BEFORE_CREATED_AT' ? (record) => record.createdAt < bound : (record) => record.createdAt > bound;
    }
    default:
      return (record, current) =>
        wanted.includes(String(record.detail.shareIdentifier)) &&
        (jobStatus === undefined || current.status === jobStatus);
  }
}

function toNameTest(pattern: string): (name: string) => boolean {
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return (name) => name.startsWith(prefix);
  }
  return (name) => name === pattern;
}

function toDefinitionTest(state: BatchState, value: string): (definitionArn: string) => boolean {
  // An ARN matches exactly one revision (no wildcard); a name matches every revision of that name.
  if (value.startsWith('arn:')) {
    if (value.includes('*')) throw clientError('Asterisk (*) is not supported when a job definition ARN is used');
    return (definitionArn) => definitionArn === value;
  }
  const nameTest = toCaseSensitiveNameTest(value);
  const cache = new Map<string, boolean>();
  return (definitionArn) => {
    let result = cache.get(definitionArn);
    if (result === undefined) {
      result = nameTest(toDefinitionName(state, definitionArn));
      cache.set(definitionArn, result);
    }
    return result;
  };
}

function toCaseSensitiveNameTest(pattern: string): (name: string) => boolean {
  return pattern.endsWith('*') ? (name) => name.startsWith(pattern.slice(0, -1)) : (name) => name === pattern;
}

function toDefinitionName(state: BatchState, definitionArn: string): string {
  const known = state.definitionsByArn.get(definitionArn);
  if (known) return known.name;
  const resource = definitionArn.slice(definitionArn.indexOf('job-definition/') + 'job-definition/'.length);
  return resource.replace(/:\d+$/, '');
}
