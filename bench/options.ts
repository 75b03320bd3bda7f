/** The benchmark's command line: scales, storm size and which sections to run. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

/** Fleet sizes the benchmark knows. */
export type Scale = 'small' | 'default' | 'medium' | 'large';

/** Parts of the benchmark that can run on their own. */
export type Section = 'storm' | 'plan' | 'bundles';

/** Strategies measured in the storm. */
export type StrategyName = 'rotation-reactor' | 'naive';

/** Everything one benchmark run needs. */
export interface BenchOptions {
  readonly scale: Scale;
  readonly events: number;
  readonly batchSize: number;
  readonly resources: number;
  readonly tps: number;
  readonly seed: number;
  readonly json: boolean;
  readonly sections: readonly Section[];
  readonly strategies: readonly StrategyName[];
  readonly planRuns: number;
  readonly importRuns: number;
}

/** The fleet shape of each scale. */
export const SCALES: Readonly<
  Record<Scale, { queues: number; definitions: number; liveJobs: number; parameters: number; secrets: number }>
> = {
  small: { queues: 2, definitions: 200, liveJobs: 60, parameters: 40, secrets: 20 },
  default: { queues: 3, definitions: 600, liveJobs: 200, parameters: 120, secrets: 60 },
  medium: { queues: 5, definitions: 2_000, liveJobs: 500, parameters: 300, secrets: 150 },
  large: { queues: 20, definitions: 20_000, liveJobs: 5_000, parameters: 3_000, secrets: 1_500 },
};

const SECTIONS: readonly Section[] = ['storm', 'plan', 'bundles'];
const STRATEGIES: readonly StrategyName[] = ['rotation-reactor', 'naive'];

const integer = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
  }
  return n;
};

/** Parses argv (after the script name); `--help` and usage errors exit through commander. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const program = new Command('npm run bench --')
    .description(
      'Benchmarks rotation-reactor against a naive reactor on a local sandbox, the plan function against a ' +
        'nested loop, and the Lambda bundles. Figures on stdout, progress on stderr ' +
        '(for clean JSON: npm run --silent bench -- --json).',
    )
    .addOption(new Option('--scale <scale>', 'fleet size').choices(Object.keys(SCALES)).default('default'))
    .option('--events <n>', 'change events in the storm', integer(1, 1_000_000), 1000)
    .option(
      '--batch-size <n>',
      'records per SQS batch, like an SQS event source of batch size N',
      integer(1, 10_000),
      10,
    )
    .option('--resources <n>', 'distinct parameters and secrets the storm touches', integer(1, 1_000_000), 50)
    .option(
      '--tps <n>',
      'Batch calls per second allowed to each strategy (Batch account limit: 50)',
      integer(1, 50),
      50,
    )
    .option('--seed <n>', 'seed of the fleet and the storm', integer(0, 2 ** 31), 42)
    .addOption(new Option('--sections <names...>', 'parts to run').choices(SECTIONS).default([...SECTIONS]))
    .addOption(
      new Option('--strategies <names...>', 'strategies in the storm').choices(STRATEGIES).default([...STRATEGIES]),
    )
    .option('--plan-runs <n>', 'runs of each plan implementation (median reported)', integer(1, 100), 3)
    .option('--import-runs <n>', 'cold imports of each bundle (median reported)', integer(1, 100), 7)
    .option('--json', 'print one JSON document instead of tables', false)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    // Commander has printed the help or the problem already: exit 0 after --help, 2 after a usage error.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    throw error;
  }
  const o = program.opts();
  return {
    scale: o.scale as Scale,
    events: o.events,
    batchSize: o.batchSize,
    resources: o.resources,
    tps: o.tps,
    seed: o.seed,
    json: o.json,
    sections: o.sections as Section[],
    strategies: o.strategies as StrategyName[],
    planRuns: o.planRuns,
    importRuns: o.importRuns,
  };
}
