/**
 * Trigger-shaped use cases: each takes what a Lambda trigger delivers, reads the control record, and runs the
 * shared pipeline with the invocation's settings.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { Mode } from '../core/apply';
import { rejectFutureChanges } from '../core/arrival';
import { type RunControl, toPausedReason, toRunControl } from '../core/control';
import { InvalidInputError, PausedError, TransientError } from '../core/errors';
import { type JobFailureReport, reactToJobFailure } from '../core/job-failure';
import { parseChanges, type Rejection } from '../core/parse-events';
import { type ReactOptions, type RunReport, reactToChanges } from '../core/react';
import { sweep } from '../core/sweep';
import { logger, recordJobFailure, recordPaused, recordRun } from './observability';
import type { Reactor } from './wiring';

/** What an invocation runs with: the control record over the deployment's defaults. */
export async function loadRunControl(reactor: Reactor): Promise<RunControl> {
  const { config } = reactor;
  const defaults = { paused: config.paused, mode: config.mode, maxResubmitsPerChange: config.maxResubmitsPerChange };
  return toRunControl(defaults, await reactor.deps.control.read());
}

/** The run options under a control (and an optional per-call mode, e.g. a dry-run replay). */
export function toControlledOptions(reactor: Reactor, control: RunControl, extras: Partial<ReactOptions> = {}) {
  const { options } = reactor;
  return {
    ...options,
    ...extras,
    mode: extras.mode === 'dry-run' ? 'dry-run' : control.mode,
    plan: { ...options.plan, maxResubmitsPerChange: control.maxResubmitsPerChange },
  } satisfies ReactOptions;
}

/**
 * An SQS batch of change events: parsed and coalesced together (a storm becomes one discovery), then reported
 * record by record through Powertools' batch utility. Rejected records count as processed (never retried);
 * records whose changes led to a failed or deferred action are returned as batch item failures and redelivered.
 * Paused, every record is returned (nothing is read or acted on): SQS redelivers it after the visibility timeout,
 * and after `maxReceiveCount` deliveries it waits in the dead-letter queue.
 */
export async function processChangeBatch(
  records: readonly SQSRecord[],
  reactor: Reactor,
  remainingMs?: () => number,
): Promise<SQSBatchResponse> {
  const control = await loadRunControl(reactor);
  if (control.paused) {
    recordPaused('sqs', toPausedReason(control), records.length);
    return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
  }
  const notJson: Rejection[] = [];
  const inputs: { source: string; event: unknown }[] = [];
  const arrivals = new Map<string, number>();
  for (const record of records) {
    arrivals.set(record.messageId, Number(record.attributes.SentTimestamp));
    try {
      inputs.push({ source: record.messageId, event: JSON.parse(record.body) });
    } catch {
      notJson.push({ source: record.messageId, reason: 'SQS message body is not JSON' });
    }
  }
  const parsed = parseChanges(inputs);
  // SentTimestamp is SQS's own clock: when EventBridge delivered the event.
  const trusted = rejectFutureChanges(
    parsed.changes,
    (source) => {
      const sent = arrivals.get(source);
      return sent !== undefined && Number.isFinite(sent) && sent > 0 ? sent : undefined;
    },
    reactor.config.maxFutureSkewMs,
  );
  const report = await reactToChanges(
    trusted.changes,
    [...notJson, ...parsed.rejected, ...trusted.rejected],
    reactor.deps,
    toControlledOptions(reactor, control, { remainingMs }),
  );
  recordRun(report, 'sqs', reactor.deps.clock());
  const failed = new Set(report.failedSources);
  // One processor per call: it holds the batch's state, so concurrent calls in one process must not share it.
  const processor = new BatchProcessor(EventType.SQS);
  return processPartialResponse(
    { Records: [...records] },
    async (record: SQSRecord) => {
      if (failed.has(record.messageId)) throw new Error('a job action for this change failed or was deferred');
    },
    processor,
    { throwOnFullBatchFailure: false },
  );
}

/** What one scheduled sweep did. */
export type SweepSummary =
  | { readonly paused: true; readonly reason: string }
  | { readonly paused: false; readonly resources: number; readonly notSwept: number; readonly report: RunReport };

/** The scheduled sweep: metadata-only reconciliation through the same pipeline; paused, it does nothing. */
export async function runSweep(reactor: Reactor, mode?: Mode): Promise<SweepSummary> {
  const control = await loadRunControl(reactor);
  if (control.paused) {
    const reason = toPausedReason(control);
    recordPaused('sweep', reason, 0);
    return { paused: true, reason };
  }
  const result = await sweep(reactor.deps, toControlledOptions(reactor, control, mode ? { mode } : {}));
  recordRun(result.report, 'sweep', reactor.deps.clock());
  for (const skipped of result.notSwept) logger.info('resource not swept', skipped);
  // Nothing lost: a failed action fails the invocation (Lambda retries it; the next sweep would too).
  if (result.report.failedSources.length > 0) {
    throw new TransientError(`sweep: ${result.report.failedSources.length} change(s) with failed or deferred actions`);
  }
  return { paused: false, resources: result.resources, notSwept: result.notSwept.length, report: result.report };
}

/** The sweep handler's result: counts an operator (or a test) can read. */
export function toSweepResult(summary: SweepSummary) {
  if (summary.paused) return { paused: true, reason: summary.reason };
  const { resources, notSwept, report } = summary;
  return {
    paused: false,
    resources,
    notSwept,
    reactions: report.plan.reactions.length,
    failed: report.failedSources.length,
  };
}

/**
 * A Batch job changed state: when it FAILED, resubmit it if it was flagged under `resubmit-on-failure`. Paused, or
 * when an action failed for a transient reason, the invocation fails: Lambda retries it, then its DLQ keeps it.
 */
export async function processJobStateChange(
  detail: { jobId: string; status: string },
  reactor: Reactor,
  remainingMs?: () => number,
): Promise<JobFailureReport | { jobId: string; status: 'not-failed' }> {
  // The rule only routes FAILED; anything else (a hand-sent test event) changes nothing.
  if (detail.status !== 'FAILED') return { jobId: detail.jobId, status: 'not-failed' };
  const control = await loadRunControl(reactor);
  if (control.paused) {
    recordPaused('job-state', toPausedReason(control), 1);
    throw new PausedError(`${toPausedReason(control)}: job failure ${detail.jobId} left for a retry`);
  }
  const report = await reactToJobFailure(
    detail.jobId,
    reactor.deps,
    toControlledOptions(reactor, control, { remainingMs }),
  );
  recordJobFailure(report);
  return report;
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
export async function processReplay(request: ReplayRequest, reactor: Reactor, remainingMs?: () => number) {
  const control = await loadRunControl(reactor);
  // A dry run changes nothing: it is allowed while paused.
  if (control.paused && !request.dryRun) throw new PausedError(`${toPausedReason(control)}: replay refused`);
  const options = toControlledOptions(reactor, control, {
    remainingMs,
    ...(request.dryRun ? { mode: 'dry-run' } : {}),
  });
  const parsed = parseChanges(request.events.map((event, i) => ({ source: `events[${i}]`, event })));
  const now = reactor.deps.clock();
  const trusted = rejectFutureChanges(parsed.changes, () => now, reactor.config.maxFutureSkewMs);
  const report = await reactToChanges(
    trusted.changes,
    [...parsed.rejected, ...trusted.rejected],
    reactor.deps,
    options,
  );
  recordRun(report, 'replay', reactor.deps.clock());
  return {
    mode: options.mode,
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
