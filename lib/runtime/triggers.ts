/** Trigger-shaped use cases: each takes what a Lambda trigger delivers and runs the shared pipeline. */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { Mode } from '../core/apply';
import { InvalidInputError } from '../core/errors';
import { parseChanges, type Rejection } from '../core/parse-events';
import { type RunReport, reactToChanges } from '../core/react';
import { type FailureOutcome, resubmitFailedJob } from '../core/resubmit-on-failure';
import { sweep } from '../core/sweep';
import { logger, recordJobFailure, recordRun } from './observability';
import type { Reactor } from './wiring';

/**
 * An SQS batch of change events: parsed and coalesced together (a storm becomes one discovery), then reported
 * record by record through Powertools' batch utility. Rejected records count as processed (never retried);
 * records whose changes led to a failed action are returned as batch item failures and redelivered.
 */
export async function processChangeBatch(records: readonly SQSRecord[], reactor: Reactor): Promise<SQSBatchResponse> {
  const notJson: Rejection[] = [];
  const inputs: { source: string; event: unknown }[] = [];
  for (const record of records) {
    try {
      inputs.push({ source: record.messageId, event: JSON.parse(record.body) });
    } catch {
      notJson.push({ source: record.messageId, reason: 'SQS message body is not JSON' });
    }
  }
  const { changes, rejected } = parseChanges(inputs);
  const report = await reactToChanges(changes, [...notJson, ...rejected], reactor.deps, reactor.options);
  recordRun(report, 'sqs', reactor.deps.clock());
  const failed = new Set(report.failedSources);
  // One processor per call: it holds the batch's state, so concurrent calls in one process must not share it.
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(
    { Records: [...records] },
    async (record: SQSRecord) => {
      if (failed.has(record.messageId)) throw new Error('a job action for this change failed; it will be retried');
    },
    processor,
    { throwOnFullBatchFailure: false },
  );
}

/** The scheduled sweep: metadata-only reconciliation through the same pipeline. */
export async function runSweep(
  reactor: Reactor,
  mode?: Mode,
): Promise<{ resources: number; notSwept: number; report: RunReport }> {
  const result = await sweep(reactor.deps, { ...reactor.options, mode: mode ?? reactor.options.mode });
  recordRun(result.report, 'sweep', reactor.deps.clock());
  for (const skipped of result.notSwept) logger.info('resource not swept', skipped);
  return { resources: result.resources, notSwept: result.notSwept.length, report: result.report };
}

/** A Batch job changed state: when it FAILED, resubmit it if it was flagged under `resubmit-on-failure`. */
export async function processJobStateChange(
  detail: { jobId: string; status: string },
  reactor: Reactor,
): Promise<FailureOutcome | { status: 'not-failed' }> {
  // The rule only routes FAILED; anything else (a hand-sent test event) changes nothing.
  if (detail.status !== 'FAILED') return { status: 'not-failed' };
  const jobId = detail.jobId;
  const outcome = await resubmitFailedJob(jobId, reactor.deps, reactor.options.mode);
  recordJobFailure(jobId, outcome.status);
  return outcome;
}

/** What an operator sends to the replay function. */
export interface ReplayRequest {
  readonly events: readonly unknown[];
  readonly dryRun?: boolean;
}

/** Turns the replay payload (an event, a list of events, or `{ events, dryRun }`) into a request. */
export function toReplayRequest(payload: unknown): ReplayRequest {
  if (Array.isArray(payload)) return { events: payload };
  if (payload && typeof payload === 'object' && 'events' in payload) {
    const { events, dryRun } = payload as { events: unknown; dryRun?: unknown };
    if (!Array.isArray(events))
      throw new InvalidInputError('replay payload: "events" must be a list of EventBridge events');
    if (dryRun !== undefined && typeof dryRun !== 'boolean')
      throw new InvalidInputError('replay payload: "dryRun" must be true or false');
    return { events, dryRun };
  }
  if (payload && typeof payload === 'object') return { events: [payload] };
  throw new InvalidInputError(
    'replay payload: send an EventBridge event, a list of them, or { "events": [...], "dryRun": true }',
  );
}

/** Manual replay: the same pipeline on events sent by hand; returns a summary an operator can read. */
export async function processReplay(request: ReplayRequest, reactor: Reactor) {
  const mode: Mode = request.dryRun ? 'dry-run' : reactor.options.mode;
  const { changes, rejected } = parseChanges(request.events.map((event, i) => ({ source: `events[${i}]`, event })));
  const report = await reactToChanges(changes, rejected, reactor.deps, { ...reactor.options, mode });
  recordRun(report, 'replay', reactor.deps.clock());
  return {
    mode,
    changes: report.changes.length,
    rejected: report.rejected,
    reactions: report.outcomes.map((o) => ({
      jobId: o.reaction.jobId,
      jobName: o.reaction.jobName,
      action: o.reaction.action,
      reason: o.reaction.reason,
      status: o.status,
      replacementJobId: o.replacementJobId,
      error: o.error,
    })),
    skipped: report.plan.skipped.map((s) => ({ jobId: s.jobId, reason: s.reason })),
    failed: report.failedSources.length,
  };
}
