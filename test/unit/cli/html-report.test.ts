import { toChartBuckets, toHtmlReport } from '../../../lib/cli/html-report';
import { toReportData } from '../../../lib/cli/report';
import type { ChangeKey } from '../../../lib/core/keys';
import type { LedgerEntry } from '../../../lib/core/ports';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const anEntry = (overrides: Partial<LedgerEntry> = {}): LedgerEntry => ({
  jobId: 'job-1',
  slot: 'flag#ssm:aws:us-east-2:123456789012:prod/db/password|value-changed',
  state: 'done',
  action: 'flag',
  jobName: 'nightly-etl',
  jobQueue: 'arn:aws:batch:us-east-2:123456789012:job-queue/etl-prod',
  changeKeys: ['ssm:aws:us-east-2:123456789012:prod/db/password|value-changed|1' as ChangeKey],
  references: ['/prod/db/password'],
  staleSince: T0,
  claimedAt: T0 + HOUR,
  updatedAt: T0 + HOUR,
  attempts: 1,
  ...overrides,
});

const aReport = (
  actions: LedgerEntry[],
  inventory: LedgerEntry[] = [],
  since = T0 - DAY,
  generatedAt = T0 + 2 * HOUR,
) => toReportData({ since, generatedAt, inventory, actions });

describe('toChartBuckets', () => {
  it('counts entries per hour and series when the span is at most two days', () => {
    const chart = toChartBuckets(
      [
        anEntry({ updatedAt: T0 + 5 * 60_000 }),
        anEntry({ updatedAt: T0 + 50 * 60_000 }),
        anEntry({ action: 'resubmit', slot: 'resubmit', updatedAt: T0 + 30 * 60_000 }),
        anEntry({ action: 'resubmit', slot: 'resubmit', state: 'failed', updatedAt: T0 + HOUR + 1 }),
      ],
      T0 - HOUR,
      T0 + 2 * HOUR,
    );
    expect(chart.unit).toBe('hour');
    expect(chart.series).toEqual(['flag · done', 'resubmit · done', 'resubmit · failed']);
    expect(chart.buckets).toEqual([
      { start: T0 - HOUR, counts: {} },
      { start: T0, counts: { 'flag · done': 2, 'resubmit · done': 1 } },
      { start: T0 + HOUR, counts: { 'resubmit · failed': 1 } },
      { start: T0 + 2 * HOUR, counts: {} },
    ]);
  });

  it('switches to UTC days for longer spans', () => {
    const chart = toChartBuckets([anEntry({ updatedAt: T0 - 3 * DAY }), anEntry({ updatedAt: T0 })], T0 - 7 * DAY, T0);
    expect(chart.unit).toBe('day');
    expect(chart.buckets).toHaveLength(8);
    expect(new Date(chart.buckets[0].start).toISOString()).toBe('2026-11-21T00:00:00.000Z');
    expect(chart.buckets.map((b) => b.counts['flag · done'] ?? 0)).toEqual([0, 0, 0, 0, 1, 0, 0, 1]);
  });

  it('widens the range to entries outside it (a clock ahead of this machine)', () => {
    const chart = toChartBuckets([anEntry({ updatedAt: T0 + 3 * HOUR })], T0, T0 + HOUR);
    expect(chart.buckets.at(-1)).toEqual({ start: T0 + 3 * HOUR, counts: { 'flag · done': 1 } });
  });

  it('caps the range at the last 366 days', () => {
    const chart = toChartBuckets([anEntry({ updatedAt: T0 })], 0, T0);
    expect(chart.unit).toBe('day');
    expect(chart.buckets.length).toBeLessThanOrEqual(367);
    expect(chart.buckets.at(-1)?.counts).toEqual({ 'flag · done': 1 });
  });

  it('has buckets and no series without entries', () => {
    const chart = toChartBuckets([], T0, T0 + 3 * HOUR);
    expect(chart.series).toEqual([]);
    expect(chart.buckets).toHaveLength(4);
  });
});

describe('toHtmlReport', () => {
  it('escapes every value that comes from the account', () => {
    const evil = anEntry({
      jobId: 'x"><script>1</script>',
      jobName: '<script>alert(1)</script>',
      jobQueue: 'arn:aws:batch:us-east-2:123456789012:job-queue/<q>',
      references: ['/a/<b>&c', "it's"],
      note: '<i>note</i>',
    });
    const failed = anEntry({ jobId: 'job-2', state: 'failed', error: '<img src=x onerror=alert(2)>' });
    const html = toHtmlReport(aReport([evil, failed], [evil]));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('x&quot;&gt;&lt;script&gt;1&lt;/script&gt;');
    expect(html).toContain('&lt;q&gt;');
    expect(html).toContain('/a/&lt;b&gt;&amp;c<br>it&#39;s');
    expect(html).toContain('&lt;i&gt;note&lt;/i&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toMatch(/<script|<img|<i>|<q>/);
  });

  it('is one static offline page: inline CSS and SVG, no scripts, no external assets', () => {
    const html = toHtmlReport(aReport([anEntry()], [anEntry()]));
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html.trimEnd()).toMatch(/<\/html>$/);
    expect(html).toContain('<style>');
    expect(html).toContain('<svg viewBox=');
    expect(html).not.toMatch(/<script|<link|<iframe|@import|url\(|https?:\/\//i);
    expect(html).not.toMatch(/\s(src|href)=/);
  });

  it('shows the tables, the counts and a stacked bar with a tooltip per series', () => {
    const html = toHtmlReport(
      aReport(
        [
          anEntry(),
          anEntry({
            jobId: 'job-2',
            jobName: 'shard-etl',
            action: 'resubmit',
            slot: 'resubmit',
            replacementJobId: 'new-1',
          }),
        ],
        [anEntry()],
      ),
    );
    expect(html).toContain('<h2>Stale inventory (1)</h2>');
    expect(html).toContain('<h2>Recent actions (2)</h2>');
    expect(html).toContain('<h2>Failures (0)</h2>');
    expect(html).toContain('<td>etl-prod</td>');
    expect(html).toContain('<td>new-1</td>');
    expect(html).toContain('<li><b>1</b>resubmitted</li>');
    expect(html).toContain('<title>11-28 13:00 UTC · flag · done: 1</title>');
    expect(html).toContain('<title>11-28 13:00 UTC · resubmit · done: 1</title>');
    expect(html).toContain('Ledger entries per hour');
  });

  it('renders an empty report as a valid page saying (none)', () => {
    const html = toHtmlReport(aReport([]));
    expect(html.match(/\(none\)/g)).toHaveLength(4);
    expect(html).toContain('<h2>Stale inventory (0)</h2>');
    expect(html).not.toContain('<table>');
    expect(html.trimEnd()).toMatch(/<\/body>\n<\/html>$/);
  });
});
