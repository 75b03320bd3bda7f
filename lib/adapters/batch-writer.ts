/** Writes to the fleet: flag tags, replacement submissions and terminations. */
import { type BatchClient, SubmitJobCommand, TagResourceCommand, TerminateJobCommand } from '@aws-sdk/client-batch';
import { describeError, ReactorError, RefusedError, TransientError } from '../core/errors';
import { isChildJob } from '../core/fleet';
import { STALE_REF_TAG, STALE_SINCE_TAG } from '../core/keys';
import type { JobActions } from '../core/ports';
import { toResubmission } from './resubmission';

const MAX_TAG_VALUE = 256;
const MAX_TAGS = 50;
const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling']);

/** Creates the Batch writer; the client should carry the rate limiter and adaptive retries. */
export function createBatchWriter(client: BatchClient): JobActions {
  return {
    async flag(job, reaction) {
      if (isChildJob(job.jobId)) {
        return { tagged: false, why: 'Batch cannot tag array children or multi-node nodes' };
      }
      if (!job.jobArn) return { tagged: false, why: 'the job has no ARN to tag' };
      // TagResource fails past 50 tags on the resource: say so instead of failing the flag.
      const keys = new Set([...Object.keys(job.tags ?? {}), STALE_SINCE_TAG, STALE_REF_TAG]);
      if (keys.size > MAX_TAGS) {
        return {
          tagged: false,
          why: `the job has ${Object.keys(job.tags ?? {}).length} tags; Batch allows ${MAX_TAGS}`,
        };
      }
      const reference = reaction.references[0]?.valueFrom ?? '';
      await client.send(
        new TagResourceCommand({
          resourceArn: job.jobArn,
          tags: {
            [STALE_SINCE_TAG]: new Date(reaction.staleSince).toISOString(),
            [STALE_REF_TAG]: reference.slice(0, MAX_TAG_VALUE),
          },
        }),
      );
      return { tagged: true };
    },

    async submitReplacement(job, { lineage, fence }) {
      const command = new SubmitJobCommand(toResubmission(job, lineage));
      // SubmitJob is not idempotent: after a 5xx, a timeout or a reset, Batch may have accepted the job. The SDK
      // retries only throttling (refused before acting); anything else fails the action, and the next attempt's
      // lineage lookup finds the job if Batch did accept it.
      command.middlewareStack.add(
        (next) => async (args) => {
          try {
            return await next(args);
          } catch (error) {
            if (error instanceof ReactorError || isThrottling(error)) throw error;
            if (isClientError(error)) throw new RefusedError(`SubmitJob refused: ${describeError(error)}`);
            // No `cause`: the SDK classifies an error by its cause too, and would retry it.
            throw new TransientError(`SubmitJob outcome unknown: ${describeError(error)}`);
          }
        },
        { step: 'deserialize', name: 'rotationReactorSubmitOnce', priority: 'high' },
      );
      // Each attempt (retries included) leaves only while the claim is provably still this process's: checked after
      // the rate limiter's wait, right before the request is sent.
      command.middlewareStack.add(
        (next) => async (args) => {
          fence.check();
          return next(args);
        },
        { step: 'deserialize', name: 'rotationReactorSubmitFence', priority: 'low' },
      );
      const { jobId } = await client.send(command);
      if (!jobId) throw new TransientError(`SubmitJob returned no jobId for the replacement of ${job.jobId}`);
      return jobId;
    },

    async terminate(jobId, reason) {
      try {
        await client.send(new TerminateJobCommand({ jobId, reason: reason.slice(0, 1024) }));
      } catch (error) {
        if (isClientError(error) && !isThrottling(error)) {
          throw new RefusedError(`TerminateJob refused: ${describeError(error)}`);
        }
        throw error;
      }
    },
  };
}

function statusOf(error: unknown): number {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
}

/** Throttling (429): Batch refused before acting, the SDK retries it with backoff. */
function isThrottling(error: unknown): boolean {
  return statusOf(error) === 429 || THROTTLING.has((error as { name?: string }).name ?? '');
}

/** Other client errors (4xx): Batch refused the request; the same request would be refused again. */
function isClientError(error: unknown): boolean {
  const status = statusOf(error);
  return status >= 400 && status < 500;
}
