/** Delivers the storm to one strategy on its own fresh sandbox and measures what it cost. */
import type { FleetSnapshot } from '../lib/core/fleet';
import { type RunReport, reactToEvents } from '../lib/core/react';
import { type Actions, collectActions } from './actions';
import { BENCH_NOW } from './fleet';
import { startLocalReactor } from './local-reactor';
import { createNaiveReactor } from './naive-reactor';
import type { StrategyName } from './options';
import { createTicker, note } from './progress';
import { toPeakPerSecond, total } from './stats';
import type { Storm } from './storm';

/** What one strategy cost and did. */
export interface StrategyResult {
  readonly strategy: StrategyName;
  /** Batch API calls by operation (the sandbox request log). */
  readonly batchCalls: Readonly<Record<string, number>>;
  readonly totalBatchCalls: number;
  /** Most Batch calls in any one-second window. */
  readonly peakBatchCallsPerSecond: number;
  readonly putEventsCalls: number;
  /** Ledger (DynamoDB) calls by operation. */
  readonly ledgerCalls: Readonly<Record<string, number>>;
  readonly wallMs: number;
  readonly runs: number;
  readonly actions: Actions;
  /** SubmitJob requests the sandbox accepted (cross-check of resubmissions). */
  readonly submissions: number;
}

/** Runs the storm through one strategy: a new sandbox with the same fleet, reactor built once (warm container). */
export async function runStorm(
  strategy: StrategyName,
  fleet: FleetSnapshot,
  storm: Storm,
  tps: number,
): Promise<StrategyResult> {
  note(`${strategy}: starting a sandbox with the fleet`);
  const local = await startLocalReactor(fleet, BENCH_NOW, tps);
  try {
    const { deps, options } = local;
    const naive = createNaiveReactor(local.clients.batch, deps, options);
    const react = async (batch: Storm['batches'][number]): Promise<RunReport[]> =>
      strategy === 'naive' ? naive.react(batch) : [await reactToEvents(batch, deps, options)];
    const tick = createTicker(`${strategy}: batch`, storm.batches.length);
    local.resetCounts();
    const reports: RunReport[] = [];
    const started = performance.now();
    for (const [i, batch] of storm.batches.entries()) {
      reports.push(...(await react(batch)));
      const { PutEvents: _, ...calls } = local.sandbox.countsByOperation();
      tick(i + 1, `${total(calls)} Batch calls`);
    }
    const wallMs = performance.now() - started;
    const { PutEvents = 0, ...batchCalls } = local.sandbox.countsByOperation();
    const batchTimes = local.sandbox
      .requests()
      .filter((r) => r.operation !== 'PutEvents')
      .map((r) => r.at);
    return {
      strategy,
      batchCalls,
      totalBatchCalls: total(batchCalls),
      peakBatchCallsPerSecond: toPeakPerSecond(batchTimes),
      putEventsCalls: PutEvents,
      ledgerCalls: local.ledgerCalls(),
      wallMs,
      runs: reports.length,
      actions: collectActions(reports),
      submissions: local.sandbox.submissions().length,
    };
  } finally {
    await local.stop();
  }
}
