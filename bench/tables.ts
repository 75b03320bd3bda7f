/** The benchmark's figures as readable tables. */
import Table from 'cli-table3';
import type { BenchResults, StormFigures, StrategyFigures } from './results';

const n = (value: number) => value.toLocaleString('en-US');
const ms = (value: number) => `${n(Math.round(value))} ms`;
const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;
const kib = (bytes: number) => `${n(Math.round(bytes / 1024))} KiB`;
const ratio = (a: number, b: number) => (a === 0 ? '' : `${(b / a).toFixed(1)}×`);

function toTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  table.push(...rows.map((row) => [...row]));
  return table.toString();
}

const OPERATIONS = [
  'DescribeJobQueues',
  'DescribeJobDefinitions',
  'ListJobs',
  'DescribeJobs',
  'TagResource',
  'SubmitJob',
  'TerminateJob',
];

function toStrategyTable(storm: StormFigures): string {
  const columns = storm.strategies;
  const both = columns.length === 2;
  // Costs compare as a ratio; actions as a difference (they must be equal but for the INACTIVE misses).
  const compare = (kind: 'cost' | 'action', a: number, b: number) =>
    kind === 'cost' ? ratio(a, b) : b === a ? '=' : `${b > a ? '+' : '−'}${n(Math.abs(b - a))}`;
  const row =
    (kind: 'cost' | 'action') =>
    (label: string, value: (s: StrategyFigures) => number, show: (v: number) => string = n) => [
      label,
      ...columns.map((s) => show(value(s))),
      ...(both ? [compare(kind, value(columns[0]), value(columns[1]))] : []),
    ];
  const cost = row('cost');
  const action = row('action');
  const operations = [
    ...OPERATIONS,
    ...new Set(columns.flatMap((s) => Object.keys(s.batchCalls)).filter((op) => !OPERATIONS.includes(op))),
  ];
  const ledger = (s: StrategyFigures) => Object.values(s.ledgerCalls).reduce((a, b) => a + b, 0);
  return toTable(
    ['', ...columns.map((s) => s.strategy), ...(both ? ['naive vs reactor'] : [])],
    [
      ...operations.map((op) => cost(`  ${op}`, (s) => s.batchCalls[op] ?? 0)),
      cost('Batch API calls', (s) => s.totalBatchCalls),
      cost('peak Batch calls / s', (s) => s.peakBatchCallsPerSecond),
      cost('wall time', (s) => s.wallMs, seconds),
      cost('pipeline runs', (s) => s.runs),
      cost('ledger (DynamoDB) calls', ledger),
      cost('PutEvents calls', (s) => s.putEventsCalls),
      action('jobs flagged', (s) => s.jobsFlagged),
      action('jobs resubmitted', (s) => s.jobsResubmitted),
      action('flags written', (s) => s.flagsApplied),
      action('duplicate claims (ledger)', (s) => s.outcomes.duplicate ?? 0),
      action('failed actions', (s) => s.outcomes.failed ?? 0),
    ],
  );
}

function toStormText(storm: StormFigures): string[] {
  const lines = [
    `Storm: ${n(storm.events)} change events (${n(storm.parameterEvents)} SSM "Parameter Store Change" Update, ` +
      `${n(storm.secretEvents)} "Secret Label Updated" AWSCURRENT) over ${n(storm.distinctResources)} resources, ` +
      `in ${n(storm.batches)} SQS batches of ${storm.batchSize}; Batch token bucket ${storm.tps} TPS for each strategy, ` +
      'each on a fresh sandbox with the same fleet.',
    toStrategyTable(storm),
  ];
  const { difference } = storm;
  if (difference) {
    lines.push(
      `Actions: rotation-reactor acted on ${n(difference.missedOnInactiveRevisions)} jobs running on INACTIVE ` +
        'revisions that the naive reactor never sees (it scans ACTIVE definitions only); ' +
        `other differences: ${n(difference.other)}${difference.other > 0 ? ` (e.g. ${difference.otherExamples.join('; ')})` : ''}.`,
    );
  }
  for (const s of storm.strategies) {
    if (s.submissions !== s.jobsResubmitted) {
      lines.push(
        `Warning: ${s.strategy} resubmitted ${s.jobsResubmitted} jobs but the sandbox saw ${s.submissions} SubmitJob.`,
      );
    }
    if (s.actionErrors.length > 0) lines.push(`${s.strategy} action errors: ${s.actionErrors.join('; ')}`);
  }
  return lines;
}

/** Renders every section that ran, then the command that produced the figures. */
export function toTables(results: BenchResults): string {
  const { machine, fleet, storm, plan, bundles } = results;
  const lines = [
    `rotation-reactor benchmark — ${machine.date}, node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, ` +
      `${machine.memoryGiB} GiB, ${machine.platform}`,
    '',
  ];
  if (fleet) {
    lines.push(
      `Fleet (--scale ${results.options.scale}, seed ${results.options.seed}): ${n(fleet.queues)} queues, ` +
        `${n(fleet.revisions)} job definition revisions (${n(fleet.activeRevisions)} ACTIVE), ${n(fleet.liveJobs)} ` +
        `RUNNING/STARTING jobs, array children included (${n(fleet.liveJobsOnInactiveRevisions)} on INACTIVE ` +
        `revisions), ${n(fleet.arrayParents)} PENDING array parents, ${n(fleet.queuedJobs)} queued jobs, ` +
        `${n(fleet.parameters)} parameters and ${n(fleet.secrets)} secrets referenced in every form and location.`,
      '',
    );
  }
  if (storm) lines.push(...toStormText(storm), '');
  if (plan) {
    lines.push(
      `Plan: ${n(plan.changes)} changes against ${n(plan.references)} references (${n(plan.definitions)} revisions, ` +
        `${n(plan.jobs)} jobs); median of ${plan.runs} runs each.`,
      toTable(
        ['implementation', 'median', 'stale jobs found'],
        [
          ['plan() (hash index)', ms(plan.planMs), n(plan.staleJobs)],
          ['nested loop (change × reference)', ms(plan.nestedLoopMs), n(plan.staleJobs)],
        ],
      ),
      plan.sameAnswer
        ? `Same answer: both find the same ${n(plan.staleJobs)} stale jobs; plan() is ${ratio(plan.planMs, plan.nestedLoopMs)} faster.`
        : 'DIFFERENT ANSWERS: plan() and the nested loop disagree on the stale jobs (exit code 1).',
      '',
    );
  }
  if (bundles) {
    const all = [...bundles.bundles, bundles.bare];
    lines.push(
      `Lambda bundles (esbuild ${JSON.stringify(bundles.esbuild)}); cold import = require() in a fresh node ` +
        `${bundles.node} process with Lambda's environment, median of ${bundles.bare.importRunsMs.length} runs.`,
      toTable(
        ['handler', 'bundle', 'cold import', 'over bare', 'largest inputs'],
        all.map((b) => [
          b.handler,
          kib(b.bytes),
          ms(b.importMs),
          b === bundles.bare ? '' : `+${ms(b.importMs - bundles.bare.importMs)}`,
          b === bundles.bare ? '' : b.largestInputs.map((i) => `${i.input} ${kib(i.bytes)}`).join(', '),
        ]),
      ),
      'Every bundle carries the AWS SDK clients it uses (serverless.yml: nothing is left to the Lambda runtime); ' +
        'the bare handler only creates a BatchClient, bundled the same way.',
      '',
    );
  }
  lines.push(`Command: ${results.command}`);
  return lines.join('\n');
}
