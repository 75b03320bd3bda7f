/**
 * The one module that owns observability: Powertools logger, metrics and tracer, and the metric names.
 * Dimensions stay low-cardinality (never an ARN or a job id: those go in log keys and metadata).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { toOutcomeCounts } from '../core/apply';
import type { JobFailureReport } from '../core/job-failure';
import type { RunReport } from '../core/react';

/** Service name in logs, traces and the metric `service` dimension. */
export const SERVICE = 'rotation-reactor';

// Powertools (since 2.17) counts a cold start only when AWS_LAMBDA_INITIALIZATION_TYPE is `on-demand`, and reads it
// when the logger, metrics and tracer below are constructed. Lambda sets it; local invokers (`sls invoke local`, a
// bare node process) do not, and their logs said `cold_start: false` on the first invocation. A process nobody
// told otherwise is an on-demand one. Provisioned concurrency keeps Powertools' answer: never a cold start.
process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';

/** The structured logger (Lambda context is added by the middleware). */
export const logger = new Logger({ serviceName: SERVICE });
/** EMF metrics in the `RotationReactor` namespace. */
export const metrics = new Metrics({ namespace: 'RotationReactor', serviceName: SERVICE });
/** X-Ray tracer; SDK clients are captured in wiring. */
export const tracer = new Tracer({ serviceName: SERVICE });

/** Every metric the reactor publishes, in one table. */
export const MetricName = {
  ChangesReceived: 'ChangesReceived',
  ChangesRejected: 'ChangesRejected',
  JobsScanned: 'JobsScanned',
  JobsStale: 'JobsStale',
  JobsFlagged: 'JobsFlagged',
  JobsResubmitted: 'JobsResubmitted',
  JobsSkipped: 'JobsSkipped',
  ActionsDuplicate: 'ActionsDuplicate',
  ActionsFailed: 'ActionsFailed',
  ActionsRefused: 'ActionsRefused',
  ActionsDeferred: 'ActionsDeferred',
  ActionsPlanned: 'ActionsPlanned',
  InvocationsPaused: 'InvocationsPaused',
  InvalidReferences: 'InvalidReferences',
  OutputEventsFailed: 'OutputEventsFailed',
  ChangeLagSeconds: 'ChangeLagSeconds',
  FailedJobsReceived: 'FailedJobsReceived',
} as const;

/** Publishes what the job-failure handler did with one FAILED job. */
export function recordJobFailure(report: JobFailureReport): void {
  metrics.addMetric(MetricName.FailedJobsReceived, MetricUnit.Count, 1);
  const tally = toOutcomeCounts(report.outcomes);
  if (tally.resubmitted > 0) metrics.addMetric(MetricName.JobsResubmitted, MetricUnit.Count, tally.resubmitted);
  if (tally.refused > 0) metrics.addMetric(MetricName.ActionsRefused, MetricUnit.Count, tally.refused);
  if (tally.failed > 0) metrics.addMetric(MetricName.ActionsFailed, MetricUnit.Count, tally.failed);
  logger.info('failed job handled', {
    jobId: report.jobId,
    status: report.status,
    detail: report.detail,
    outcomes: report.outcomes.map((o) => ({
      jobId: o.reaction.jobId,
      action: o.reaction.action,
      reason: o.reaction.reason,
      status: o.status,
      replacementJobId: o.replacementJobId,
      error: o.error,
    })),
  });
}

/** Reports an invocation that did nothing because the reactor is paused. */
export function recordPaused(trigger: string, reason: string, deferred: number): void {
  metrics.addMetric(MetricName.InvocationsPaused, MetricUnit.Count, 1);
  logger.warn('paused: nothing acted on', { trigger, reason, deferred });
}

/** Publishes a run's counts as metrics and logs one summary line (no secret values, no raw events). */
export function recordRun(report: RunReport, trigger: string, now: number): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count(MetricName.ChangesReceived, report.changes.length);
  count(MetricName.ChangesRejected, report.rejected.length);
  count(MetricName.JobsScanned, report.jobsScanned);
  count(MetricName.JobsStale, report.plan.reactions.length);
  const tally = toOutcomeCounts(report.outcomes);
  count(MetricName.JobsFlagged, tally.flagged);
  count(MetricName.JobsResubmitted, tally.resubmitted);
  count(MetricName.ActionsDuplicate, tally.duplicates);
  count(MetricName.ActionsFailed, tally.failed);
  count(MetricName.ActionsRefused, tally.refused);
  count(MetricName.ActionsDeferred, tally.deferred);
  count(MetricName.ActionsPlanned, tally.planned);
  count(MetricName.InvalidReferences, report.plan.invalidReferences.length);
  count(MetricName.OutputEventsFailed, report.emitFailures);
  const bySkip = new Map<string, number>();
  for (const skip of report.plan.skipped) bySkip.set(skip.reason, (bySkip.get(skip.reason) ?? 0) + 1);
  for (const [reason, n] of bySkip) {
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric(MetricName.JobsSkipped, MetricUnit.Count, n);
  }
  for (const { change } of report.changes) {
    metrics.addMetric(MetricName.ChangeLagSeconds, MetricUnit.Seconds, Math.max(0, (now - change.changedAt) / 1000));
  }
  for (const rejection of report.rejected)
    logger.warn('event rejected', { trigger, source: rejection.source, reason: rejection.reason });
  // What the CLI shows, the Lambda logs too: bad policy tags and references the reactor cannot read.
  for (const warning of report.plan.warnings) logger.warn('plan warning', { trigger, warning });
  for (const invalid of report.plan.invalidReferences) logger.warn('invalid reference', { trigger, ...invalid });
  for (const outcome of report.outcomes) {
    const { reaction } = outcome;
    const fields = {
      trigger,
      jobId: reaction.jobId,
      action: reaction.action,
      status: outcome.status,
      reason: reaction.reason,
      replacementJobId: outcome.replacementJobId,
      note: outcome.note,
      error: outcome.error,
      changes: reaction.changes.map((c) => c.key),
    };
    if (outcome.status === 'failed' || outcome.status === 'refused') logger.error('job action failed', fields);
    else logger.info('job action', fields);
  }
  logger.info('run finished', {
    trigger,
    changes: report.changes.length,
    rejected: report.rejected.length,
    jobsScanned: report.jobsScanned,
    reactions: report.plan.reactions.length,
    skipped: report.plan.skipped.length,
    failedSources: report.failedSources.length,
  });
}
