/**
 * `rotation-reactor demo` (`npm start`): the whole reactor, locally, in under a minute — a sandbox serving a
 * generated fleet, the sample events replayed through the real pipeline (real SDK clients over HTTP, ledger in
 * dynalite), then the stale inventory, the actions and an HTML report.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { reactToChanges } from '../core/react';
import { startSandbox } from '../sandbox';
import { generateFleet } from '../sandbox/fleet-generator';
import { createCliReactor } from './aws';
import { writeFileAtomically } from './files';
import { toTable } from './format';
import { toHtmlReport } from './html-report';
import type { CliIo } from './io';
import { loadChanges } from './load-changes';
import { createProgress } from './progress';
import { toReplayText } from './replay';
import { loadReportData, toReportText } from './report';

/** Sandbox time of the demo: half an hour after the sample events (2026-11-28T12:00Z), whatever today is. */
const DEMO_NOW = Date.parse('2026-11-28T12:30:00Z');

/** The resources the sample events under events/ name, so the generated fleet references them. */
const SAMPLE_PARAMETERS = ['/prod/db/password', '/prod/api/key'];
const SAMPLE_SECRETS = ['prod/db-AbCdEf', 'prod/api-token-Gh12Ij'];
/** Deleted by the samples: referenced by a few jobs only, which get flagged (never resubmitted). */
const DELETED_PARAMETERS = ['/MyExampleParameter'];
const DELETED_SECRETS = ['prod/legacy-Kl34Mn'];

/** Registers `demo` on the program. */
export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('Run the whole reactor locally on a generated fleet and the sample events; no AWS account needed.')
    .option('--events <paths...>', 'event files or folders to replay', ['events/ssm', 'events/secretsmanager'])
    .option('--html <file>', 'where to write the HTML report', 'reports/demo-report.html')
    .action(async (opts: { events: string[]; html: string }) => {
      const started = Date.now();
      const step = (n: number, text: string) => io.out(`[${n}/5] ${text}`);
      io.out(
        'rotation-reactor demo: a Batch + EventBridge sandbox on 127.0.0.1 and DynamoDB in memory; nothing leaves this machine.',
      );

      const { fleet } = generateFleet({
        queues: 4,
        definitions: 24,
        liveJobs: 60,
        queuedJobs: 8,
        parameters: 12,
        secrets: 8,
        now: DEMO_NOW,
        extraParameters: SAMPLE_PARAMETERS,
        extraSecrets: SAMPLE_SECRETS,
        rareParameters: DELETED_PARAMETERS,
        rareSecrets: DELETED_SECRETS,
        deleted: [...DELETED_PARAMETERS, ...DELETED_SECRETS],
      });
      const live = fleet.jobs.filter((j) => j.status === 'RUNNING' || j.status === 'STARTING').length;
      step(
        1,
        `Fleet: ${fleet.jobQueues.length} queues, ${fleet.jobDefinitions.length} job definition revisions, ${live} live jobs, ${fleet.jobs.length - live} others (every reference form and location)`,
      );

      const sandbox = await startSandbox({ fleet, startTime: DEMO_NOW });
      const progress = createProgress(io);
      const reactor = await createCliReactor(
        {
          endpointUrl: sandbox.endpoint,
          region: fleet.region,
          account: fleet.account,
          ledgerTable: 'rotation-reactor-demo-ledger',
          batchTps: 50,
        },
        {
          ensureTable: true,
          clock: () => sandbox.now(),
          onProgress: (name, done, total) => progress.update(name, done, total),
        },
      );
      try {
        step(
          2,
          `Sandbox on ${sandbox.endpoint} (Batch, EventBridge, DynamoDB); ledger table ${reactor.config.ledgerTable} created`,
        );
        const { changes, rejected, events } = await loadChanges(opts.events);
        step(
          3,
          `Replaying ${events} sample events from ${opts.events.join(', ')} through the pipeline (parse → coalesce → discover → plan → apply → report)`,
        );
        const report = await reactToChanges(changes, rejected, reactor.deps, reactor.options);
        progress.stop();

        const calls = sandbox.countsByOperation();
        step(
          4,
          `${report.changes.length} changes understood (${report.plan.changes.length} after coalescing), ${report.rejected.length} rejected; ` +
            `${report.jobsScanned} live jobs scanned with ${Object.values(calls).reduce((a, b) => a + b, 0)} AWS calls`,
        );
        io.out(toTable(['AWS operation', 'calls'], Object.entries(calls).sort()));
        io.out(toReplayText(report));

        const data = await loadReportData(reactor.deps.ledger, { since: DEMO_NOW - 3_600_000, now: sandbox.now() });
        const html = resolve(opts.html);
        mkdirSync(dirname(html), { recursive: true });
        writeFileAtomically(html, toHtmlReport(data), 'HTML report');
        step(5, 'The ledger now says:');
        io.out(toReportText(data));
        io.out(`HTML report: ${html}`);
        io.out(
          `Output events captured by the sandbox bus: ${sandbox.events().length}. Finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
        );
        io.out(
          'Next: `rotation-reactor plan --help`, `rotation-reactor sandbox --fleet events/fleets/sample.json`, and README.md for your own account.',
        );
      } finally {
        progress.stop();
        reactor.destroy();
        await sandbox.stop();
      }
    });
}
