/** Writes to the fleet: flag tags, replacement submissions and terminations. */
import { type BatchClient, SubmitJobCommand, TagResourceCommand, TerminateJobCommand } from '@aws-sdk/client-batch';
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
      const { jobId } = await client.send(new SubmitJobCommand(toResubmission(job)));
      if (!jobId) throw new Error(`SubmitJob returned no jobId for the replacement of ${job.jobId}`);
      return jobId;
    },

    async terminate(jobId, reason) {
      await client.send(new TerminateJobCommand({ jobId, reason: reason.slice(0, 1024) }));
    },
  };
}
