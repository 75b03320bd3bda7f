/** Writes to the fleet: flag tags, replacement submissions and terminations. */
import { type BatchClient, SubmitJobCommand, TagResourceCommand, TerminateJobCommand } from '@aws-sdk/client-batch';
import { TransientError } from '../core/errors';
import { isChildJob } from '../core/fleet';
import type { JobActions } from '../core/ports';
import { STALE_REF_TAG, STALE_SINCE_TAG, toResubmission } from './resubmission';

const MAX_TAG_VALUE = 256;

/** Creates the Batch writer; the client should carry the rate limiter and adaptive retries. */
export function createBatchWriter(client: BatchClient): JobActions {
  return {
    async flag(job, reaction) {
      if (isChildJob(job.jobId)) {
        return { tagged: false, why: 'Batch cannot tag array children or multi-node nodes' };
      }
      if (!job.jobArn) return { tagged: false, why: 'the job has no ARN to tag' };
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

    async submitReplacement(job) {
      const command = new SubmitJobCommand(toResubmission(job));
      // SubmitJob is not idempotent: after a 5xx, a timeout or a reset, Batch may have accepted the job. The SDK
      // retries only throttling (refused before acting); anything else fails the action, and the next attempt's
      // lineage lookup finds the job if Batch did accept it.
      command.middlewareStack.add(
        (next) => async (args) => {
          try {
            return await next(args);
          } catch (error) {
            throw isRefusedBeforeActing(error)
              ? error
              : // No `cause`: the SDK classifies an error by its cause too, and would retry it.
                new TransientError(`SubmitJob outcome unknown: ${describe(error)}`);
          }
        },
        { step: 'deserialize', name: 'rotationReactorSubmitOnce', priority: 'high' },
      );
      const { jobId } = await client.send(command);
      if (!jobId) throw new Error(`SubmitJob returned no jobId for the replacement of ${job.jobId}`);
      return jobId;
    },

    async terminate(jobId, reason) {
      await client.send(new TerminateJobCommand({ jobId, reason: reason.slice(0, 1024) }));
    },
  };
}

/** Throttling (429) and client errors (4xx): Batch refused the request, so retrying cannot duplicate the job. */
function isRefusedBeforeActing(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  return status >= 400 && status < 500;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
