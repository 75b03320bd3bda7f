import { clientError } from './api-error';
import { parseBatchArn } from './arns';
import type { BatchState } from './batch-state';
import { type Body, optionalStringMap } from './request-body';
import { checkTags } from './tag-rules';

interface Taggable {
  tags: Record<string, string>;
}

/** `TagResource` (`POST /v1/tags/{arn}`): merges tags into a job, queue or definition revision. */
export function tagResource(state: BatchState, arn: string, body: Body): Record<string, unknown> {
  const resource = findTaggable(state, arn);
  const tags = optionalStringMap(body, 'tags');
  if (tags === undefined || Object.keys(tags).length === 0) throw clientError(`'tags' is a required field`);
  const merged = { ...resource.tags, ...tags };
  checkTags(merged);
  resource.tags = merged;
  return {};
}

/** `UntagResource` (`DELETE /v1/tags/{arn}?tagKeys=…`): removes the given keys. */
export function untagResource(state: BatchState, arn: string, tagKeys: readonly string[]): Record<string, unknown> {
  const resource = findTaggable(state, arn);
  if (tagKeys.length === 0) throw clientError(`'tagKeys' is a required field`);
  const remaining = { ...resource.tags };
  for (const key of tagKeys) delete remaining[key];
  resource.tags = remaining;
  return {};
}

/** `ListTagsForResource` (`GET /v1/tags/{arn}`). */
export function listTagsForResource(state: BatchState, arn: string): Record<string, unknown> {
  return { tags: { ...findTaggable(state, arn).tags } };
}

function findTaggable(state: BatchState, arn: string): Taggable {
  const parsed = parseBatchArn(state.scope, arn);
  if (parsed === undefined) throw clientError(`${arn} is not a valid Batch resource ARN in this account and Region`);
  if (parsed.type === 'job' && /[:#]/.test(parsed.id)) {
    throw clientError(`${arn}: tagging isn't supported for child jobs of array and multi-node parallel (MNP) jobs`);
  }
  const found =
    parsed.type === 'job'
      ? state.jobs.get(parsed.id)
      : parsed.type === 'job-queue'
        ? state.queuesByArn.get(arn)
        : state.definitionsByArn.get(arn);
  if (found === undefined) throw clientError(`Resource ${arn} does not exist`);
  return found;
}
