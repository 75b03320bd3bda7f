/** The plan micro-benchmark: `plan()` (hash index) against the nested-loop baseline, same input, same answer. */
import { DEFAULT_PLAN_OPTIONS, type Plan } from '../lib/core/decision';
import { plan } from '../lib/core/plan';
import { toStaleJobIdsByNestedLoop } from './nested-loop-plan';
import { toPlanInput } from './plan-input';
import { note } from './progress';
import { median } from './stats';

/** Timings of both implementations and whether they agree. */
export interface PlanFigures {
  readonly changes: number;
  readonly references: number;
  readonly definitions: number;
  readonly jobs: number;
  readonly staleJobs: number;
  readonly runs: number;
  readonly planMs: number;
  readonly nestedLoopMs: number;
  readonly sameAnswer: boolean;
}

/** The jobs a plan finds stale: those it reacts to (array children of a merged parent) and those ignored by policy. */
export function toStaleJobIds(decided: Plan): Set<string> {
  return new Set([
    ...decided.reactions.flatMap((r) => r.childJobIds ?? [r.jobId]),
    ...decided.skipped.filter((s) => s.reason === 'policy-ignore').map((s) => s.jobId),
  ]);
}

const timeOnce = <T>(run: () => T): { result: T; ms: number } => {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
};

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/** Runs both implementations `runs` times each (interleaved) and reports the median of each. */
export function runPlanBench(seed: number, runs: number): PlanFigures {
  note('plan: building 1,000 changes against 100,000 references');
  const { changes, view, references } = toPlanInput(seed);
  const planTimes: number[] = [];
  const loopTimes: number[] = [];
  let sameAnswer = true;
  let staleJobs = 0;
  for (let run = 1; run <= runs; run++) {
    const indexed = timeOnce(() => toStaleJobIds(plan(changes, view, DEFAULT_PLAN_OPTIONS)));
    const looped = timeOnce(() => toStaleJobIdsByNestedLoop(changes, view, DEFAULT_PLAN_OPTIONS));
    planTimes.push(indexed.ms);
    loopTimes.push(looped.ms);
    sameAnswer &&= sameSet(indexed.result, looped.result);
    staleJobs = indexed.result.size;
    note(`plan: run ${run}/${runs}: plan ${indexed.ms.toFixed(0)} ms, nested loop ${looped.ms.toFixed(0)} ms`);
  }
  return {
    changes: changes.length,
    references,
    definitions: view.definitions.length,
    jobs: view.jobs.length,
    staleJobs,
    runs,
    planMs: median(planTimes),
    nestedLoopMs: median(loopTimes),
    sameAnswer,
  };
}
