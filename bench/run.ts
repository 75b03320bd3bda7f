/**
 * `npm run bench`: rotation-reactor against a naive reactor on the local sandbox, plan() against a nested loop, and
 * the Lambda bundles. Prints figures (tables, or one JSON document with `--json`); asserts correctness, never timings.
 */
import { runBundleBench } from './bundles';
import { BENCH_NOW, toBenchFleet, toFleetFigures } from './fleet';
import { type BenchOptions, parseBenchOptions } from './options';
import { runPlanBench } from './plan-bench';
import { note } from './progress';
import { type BenchResults, toCommand, toMachineInfo, toStormFigures } from './results';
import { runStorm, type StrategyResult } from './run-storm';
import { toStorm } from './storm';
import { toTables } from './tables';

async function runStormSection(options: BenchOptions): Promise<Pick<BenchResults, 'fleet' | 'storm'>> {
  note(`storm: generating the ${options.scale} fleet`);
  const generated = toBenchFleet(options.scale, options.seed);
  const storm = toStorm(generated, { ...options, now: BENCH_NOW });
  const results: StrategyResult[] = [];
  for (const strategy of options.strategies)
    results.push(await runStorm(strategy, generated.fleet, storm, options.tps));
  const inactive = new Set(
    generated.fleet.jobDefinitions.filter((d) => d.status === 'INACTIVE').map((d) => d.jobDefinitionArn),
  );
  return { fleet: toFleetFigures(generated), storm: toStormFigures(storm, options, results, inactive) };
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchOptions(argv);
  const started = Date.now();
  let results: BenchResults = { command: toCommand(argv), options, machine: toMachineInfo() };
  if (options.sections.includes('storm')) results = { ...results, ...(await runStormSection(options)) };
  if (options.sections.includes('plan')) results = { ...results, plan: runPlanBench(options.seed, options.planRuns) };
  if (options.sections.includes('bundles')) results = { ...results, bundles: await runBundleBench(options.importRuns) };
  process.stdout.write(`${options.json ? JSON.stringify(results, null, 2) : toTables(results)}\n`);
  note(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const wrongPlan = results.plan?.sameAnswer === false;
  const wrongActions = (results.storm?.difference?.other ?? 0) > 0;
  return wrongPlan || wrongActions ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
