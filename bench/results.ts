/** The benchmark's figures as one JSON-ready document. */
import { cpus, platform, release, totalmem } from 'node:os';
import { type ActionDifference, compareActions } from './actions';
import type { BundleFigures } from './bundles';
import type { FleetFigures } from './fleet';
import type { BenchOptions } from './options';
import type { PlanFigures } from './plan-bench';
import type { StrategyResult } from './run-storm';
import type { Storm } from './storm';

/** Where the figures were measured. */
export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly date: string;
}

/** One strategy's figures, with action sets reduced to counts. */
export type StrategyFigures = Omit<StrategyResult, 'actions'> & {
  readonly jobsFlagged: number;
  readonly jobsResubmitted: number;
  readonly flagsApplied: number;
  readonly outcomes: StrategyResult['actions']['outcomes'];
  readonly actionErrors: readonly string[];
};

/** The storm section. */
export interface StormFigures {
  readonly events: number;
  readonly parameterEvents: number;
  readonly secretEvents: number;
  readonly distinctResources: number;
  readonly batches: number;
  readonly batchSize: number;
  readonly tps: number;
  readonly strategies: readonly StrategyFigures[];
  /** Present when both strategies ran. */
  readonly difference?: ActionDifference;
}

/** Every figure of a run. */
export interface BenchResults {
  readonly command: string;
  readonly options: BenchOptions;
  readonly machine: MachineInfo;
  readonly fleet?: FleetFigures;
  readonly storm?: StormFigures;
  readonly plan?: PlanFigures;
  readonly bundles?: BundleFigures;
}

/** Describes this machine. */
export function toMachineInfo(): MachineInfo {
  const cores = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/** Summarises the strategies' results and compares their actions (jobs on INACTIVE revisions told apart). */
export function toStormFigures(
  storm: Storm,
  options: BenchOptions,
  results: readonly StrategyResult[],
  inactiveRevisions: ReadonlySet<string>,
): StormFigures {
  const reactor = results.find((r) => r.strategy === 'rotation-reactor');
  const naive = results.find((r) => r.strategy === 'naive');
  return {
    events: storm.events,
    parameterEvents: storm.parameterEvents,
    secretEvents: storm.secretEvents,
    distinctResources: storm.distinctResources,
    batches: storm.batches.length,
    batchSize: options.batchSize,
    tps: options.tps,
    strategies: results.map(({ actions, ...rest }) => ({
      ...rest,
      jobsFlagged: actions.flagged.size,
      jobsResubmitted: actions.resubmitted.size,
      flagsApplied: actions.flagsApplied,
      outcomes: actions.outcomes,
      actionErrors: actions.errors,
    })),
    ...(reactor && naive ? { difference: compareActions(reactor.actions, naive.actions, inactiveRevisions) } : {}),
  };
}

/** The command that reproduces the figures, as it was typed. */
export function toCommand(argv: readonly string[]): string {
  const args = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  const base = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'npx tsx bench/run.ts';
  if (args === '') return base;
  return base === 'npm run bench' ? `${base} -- ${args}` : `${base} ${args}`;
}
