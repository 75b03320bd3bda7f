import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLedgerTable } from '../../../lib/adapters/ledger-table';
import type { ChangeKey } from '../../../lib/core/keys';
import { POLICY_TAG } from '../../../lib/core/policy';
import { reactToEvents } from '../../../lib/core/react';
import { aJob, aSnapshot, ETL, MINUTE, QUEUE, T0 } from '../../support/builders';
import { runCli, sandboxFlags } from '../../support/cli';
import { startLocalReactor } from '../../support/reactor';

const update = JSON.parse(readFileSync('events/ssm/parameter-store-change.update.json', 'utf8'));
const queue = QUEUE;
const etl = ETL;
const job = (jobId: string, overrides: Parameters<typeof aJob>[0] = {}) =>
  aJob({ jobId, jobName: jobId, jobQueue: queue.jobQueueArn, jobDefinition: etl.jobDefinitionArn, ...overrides });
const fleet = aSnapshot({
  jobs: [
    job('stale-flag'),
    job('stale-resubmit', { tags: { [POLICY_TAG]: 'resubmit' } }),
    job('fresh', { startedAt: T0 + 10 * MINUTE }),
  ],
});

const EVIL_NAME = '<script>alert(1)</script>';
const EVIL_ERROR = '<img src=x onerror=alert(2)> & "quotes"';
const tmp = mkdtempSync(join(tmpdir(), 'rr-report-'));

describe('rotation-reactor report (ledger on dynalite)', () => {
  let local: Awaited<ReturnType<typeof startLocalReactor>>;
  // The sandbox endpoint forwards DynamoDB calls to dynalite, so one --endpoint-url reaches the ledger too.
  const flags = (table = local.config.ledgerTable) => sandboxFlags(local.sandbox.endpoint, '--ledger-table', table);

  beforeAll(async () => {
    local = await startLocalReactor(fleet);
    const { reactor } = local;
    await reactToEvents([{ source: 'msg-1', event: update }], reactor.deps, reactor.options);
    const { ledger } = reactor.deps;
    const base = {
      jobQueue: queue.jobQueueArn,
      jobDefinition: etl.jobDefinitionArn,
      changeKeys: ['ssm:aws:us-east-2:123456789012:x|value-changed|1' as ChangeKey],
      references: ['/prod/<b>x</b>'],
      staleSince: T0,
    };
    const flag = await ledger.claim({ ...base, jobId: 'evil-1', slot: 'flag#x', action: 'flag', jobName: EVIL_NAME });
    if (flag.claimed) await ledger.complete(flag.ticket, { note: 'tagged' });
    const resubmit = await ledger.claim({
      ...base,
      jobId: 'evil-2',
      slot: 'resubmit',
      action: 'resubmit',
      jobName: 'evil-2',
    });
    if (resubmit.claimed) await ledger.fail(resubmit.ticket, EVIL_ERROR);
  });
  afterAll(async () => {
    await local.stop();
  });

  it('prints the inventory, recent actions, failures and counts as one JSON document', async () => {
    const { code, stdout } = await runCli('report', ...flags(), '--since', '2026-11-28T00:00:00Z', '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc)).toEqual(['since', 'generatedAt', 'inventory', 'actions', 'failures', 'counts']);
    expect(doc.since).toBe('2026-11-28T00:00:00Z');
    expect(doc.inventory.map((e: { jobId: string }) => e.jobId).sort()).toEqual(['evil-1', 'stale-flag']);
    expect(doc.inventory.find((e: { jobId: string }) => e.jobId === 'stale-flag')).toMatchObject({
      jobName: 'stale-flag',
      jobQueue: queue.jobQueueArn,
      action: 'flag',
      state: 'done',
      references: ['/prod/db/password'],
      staleSince: '2026-11-28T12:00:00Z',
      note: 'tagged',
    });
    const actions = Object.fromEntries(
      doc.actions.map((e: { jobId: string; action: string; state: string }) => [e.jobId, `${e.action} ${e.state}`]),
    );
    expect(actions).toEqual({
      'stale-flag': 'flag done',
      'stale-resubmit': 'resubmit done',
      'evil-1': 'flag done',
      'evil-2': 'resubmit failed',
    });
    const resubmitted = doc.actions.find((e: { jobId: string }) => e.jobId === 'stale-resubmit');
    expect(resubmitted).toMatchObject({ replacementJobId: expect.any(String), note: 'submitted and terminated' });
    expect(local.sandbox.job(resubmitted.replacementJobId)).toMatchObject({ jobName: 'stale-resubmit' });
    expect(doc.failures).toEqual([expect.objectContaining({ jobId: 'evil-2', error: EVIL_ERROR, attempts: 1 })]);
    expect(doc.counts).toEqual({ flagged: 2, resubmitted: 1, failed: 1, inProgress: 0, total: 4, staleJobs: 2 });
  });

  it('prints tables and a summary line without --json', async () => {
    const { code, stdout } = await runCli('report', ...flags(), '--since', '2026-11-28T00:00:00Z');
    expect(code).toBe(0);
    expect(stdout).toContain('Stale inventory (2)');
    expect(stdout).toContain('Recent actions since 2026-11-28T00:00:00Z (4)');
    expect(stdout).toContain('Failures (1)');
    expect(stdout).toContain('stale-resubmit');
    expect(stdout.split('\n').at(-1)).toBe(
      'Since 2026-11-28T00:00:00Z: 2 flagged, 1 resubmitted, 1 failed, 0 in progress; 2 job(s) in the stale inventory.',
    );
  });

  it('writes one offline HTML page with the tables, escaping every value, and prints its path', async () => {
    const file = join(tmp, 'report.html');
    const { code, stdout } = await runCli('report', ...flags(), '--since', '2026-11-28T00:00:00Z', '--html', file);
    expect(code).toBe(0);
    expect(stdout).toBe(file);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    for (const name of ['stale-flag', 'stale-resubmit', 'evil-2']) expect(html).toContain(name);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('/prod/&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toMatch(/<script|<img|<link|<b>x/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<svg');
  });

  it('still shows the inventory when no action is recent, and says (none) for the rest', async () => {
    const { code, stdout } = await runCli('report', ...flags(), '--since', '2026-11-28T14:00:00Z');
    expect(code).toBe(0);
    expect(stdout).toContain('Stale inventory (2)');
    expect(stdout).toMatch(/Recent actions since 2026-11-28T14:00:00Z \(0\)\n {2}\(none\)/);
    expect(stdout).toMatch(/Failures \(0\)\n {2}\(none\)/);
  });

  it('reads a relative --since as a duration before now', async () => {
    const before = Date.now();
    const { code, stdout } = await runCli('report', ...flags(), '--since', '24h', '--json');
    expect(code).toBe(0);
    const since = Date.parse(JSON.parse(stdout).since);
    expect(since).toBeGreaterThanOrEqual(before - 24 * 60 * MINUTE - 1000);
    expect(since).toBeLessThanOrEqual(Date.now() - 24 * 60 * MINUTE);
  });

  it('narrows the report to --queue', async () => {
    const { stdout } = await runCli(
      'report',
      ...flags(),
      '--since',
      '2026-11-28T00:00:00Z',
      '--queue',
      'other',
      '--json',
    );
    expect(JSON.parse(stdout)).toMatchObject({ inventory: [], actions: [], failures: [] });
    const { stdout: same } = await runCli(
      'report',
      ...flags(),
      '--since',
      '2026-11-28T00:00:00Z',
      '--queue',
      'q',
      '--json',
    );
    expect(JSON.parse(same).counts.total).toBe(4);
  });

  it('renders an empty ledger as valid, empty tables and page', async () => {
    await ensureLedgerTable(local.reactor.clients.dynamodb, 'empty-ledger');
    const { code, stdout } = await runCli('report', ...flags('empty-ledger'), '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      inventory: [],
      actions: [],
      failures: [],
      counts: { flagged: 0, resubmitted: 0, failed: 0, inProgress: 0, total: 0, staleJobs: 0 },
    });
    const file = join(tmp, 'empty.html');
    expect((await runCli('report', ...flags('empty-ledger'), '--html', file)).code).toBe(0);
    expect(readFileSync(file, 'utf8').match(/\(none\)/g)).toHaveLength(4);
  });

  it.each([
    [['--since', 'yesterday'], /^rotation-reactor: --since "yesterday" is not a time: use ISO-8601/],
    [['--since', '2026-13-45'], /^rotation-reactor: --since "2026-13-45" is not a time/],
  ])('rejects %j with one line naming the flag (exit 2)', async (args, message) => {
    const { code, stdout, stderr } = await runCli('report', ...flags(), ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.split('\n')).toHaveLength(1);
  });

  it('refuses --json together with --html (exit 2)', async () => {
    const file = join(tmp, 'both.html');
    const { code, stderr } = await runCli('report', ...flags(), '--json', '--html', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--json.*cannot be used with.*--html/);
    expect(existsSync(file)).toBe(false);
  });

  it('names an unwritable --html file in one line (exit 2)', async () => {
    const file = join(tmp, 'no-such-dir', 'r.html');
    const { code, stderr } = await runCli('report', ...flags(), '--html', file);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `rotation-reactor: cannot write HTML report ${file}: no such directory ${join(tmp, 'no-such-dir')}`,
    );
  });

  it('reaches a DynamoDB endpoint given only by AWS_ENDPOINT_URL_DYNAMODB (no --endpoint-url)', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = local.sandbox.dynamodbEndpoint;
    try {
      const { code, stdout } = await runCli('report', ...flags().slice(2), '--since', '2026-11-28T00:00:00Z', '--json');
      expect(code).toBe(0);
      expect(JSON.parse(stdout).counts.total).toBe(4);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
    }
  });

  it('names the missing ledger table in one line (exit 2)', async () => {
    const { code, stderr } = await runCli('report', ...flags('no-such-table'));
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^rotation-reactor: cannot read the ledger table no-such-table: the ledger table was not found/,
    );
    expect(stderr.split('\n')).toHaveLength(1);
  });
});
