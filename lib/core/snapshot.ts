/** Validation of a fleet snapshot (the offline input of `plan` and the sandbox), with messages naming the field. */
import { z } from 'zod';
import type { FleetSnapshot } from './fleet';

const tags = z.record(z.string(), z.string()).optional();
const queue = z.looseObject({ jobQueueArn: z.string(), jobQueueName: z.string(), tags });
const definition = z.looseObject({
  jobDefinitionArn: z.string(),
  jobDefinitionName: z.string(),
  revision: z.number().int(),
  tags,
});
const job = z.looseObject({
  jobId: z.string().min(1),
  jobName: z.string(),
  jobQueue: z.string(),
  jobDefinition: z.string(),
  status: z.enum(['SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED']),
  createdAt: z.number().optional(),
  startedAt: z.number().optional(),
  stoppedAt: z.number().optional(),
  tags,
});
const snapshot = z.looseObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-2'),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit account id'),
  partition: z.string().optional(),
  jobQueues: z.array(queue),
  jobDefinitions: z.array(definition),
  jobs: z.array(job),
});

/** Validates a decoded snapshot; on failure the message names the first bad fields (`jobs[3].status: …`). */
export function parseFleetSnapshot(value: unknown): { ok: true; fleet: FleetSnapshot } | { ok: false; reason: string } {
  const result = snapshot.safeParse(value);
  if (result.success) return { ok: true, fleet: result.data as FleetSnapshot };
  const problems = result.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    return `${path || 'the document'}: ${issue.message}`;
  });
  const more = result.error.issues.length > 3 ? ` (and ${result.error.issues.length - 3} more)` : '';
  return { ok: false, reason: `${problems.join('; ')}${more}` };
}
