/** The HTML page of `report`: one static, offline file — inline CSS and SVG, no scripts, no external assets. */
import type { LedgerEntry } from '../core/ports';
import { toIsoTime, toShortName } from './format';
import type { ReportData } from './report';

/** How wide one chart bar is. */
export type BucketUnit = 'hour' | 'day';

/** One bar of the chart: entries per series (`<action> · <state>`) updated in `[start, start + unit)`. */
export interface ChartBucket {
  readonly start: number;
  readonly counts: Readonly<Record<string, number>>;
}

/** The actions-over-time chart: consecutive buckets, and the series stacked in each, in drawing order. */
export interface Chart {
  readonly unit: BucketUnit;
  readonly series: readonly string[];
  readonly buckets: readonly ChartBucket[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNIT_MS: Record<BucketUnit, number> = { hour: HOUR, day: DAY };
/** Up to two days fit in hourly bars (≤ 49); longer spans get daily ones. */
const HOURLY_SPAN = 2 * DAY;
const MAX_DAYS = 366;
const ACTION_ORDER = ['flag', 'resubmit-on-failure', 'resubmit'];
const STATE_ORDER = ['done', 'claimed', 'failed'];
const COLORS: Record<string, string> = {
  'flag · done': '#d97706',
  'flag · claimed': '#fcd34d',
  'flag · failed': '#ef4444',
  'resubmit-on-failure · done': '#7c3aed',
  'resubmit-on-failure · claimed': '#c4b5fd',
  'resubmit-on-failure · failed': '#f87171',
  'resubmit · done': '#2563eb',
  'resubmit · claimed': '#93c5fd',
  'resubmit · failed': '#991b1b',
};
const SPARE_COLORS = ['#059669', '#0891b2', '#4b5563', '#be185d'];

const seriesOf = (e: LedgerEntry) => `${e.action} · ${e.state}`;

function rank(order: readonly string[], value: string): number {
  const i = order.indexOf(value);
  return i === -1 ? order.length : i;
}

function compareSeries(a: string, b: string): number {
  const [actionA, stateA] = a.split(' · ');
  const [actionB, stateB] = b.split(' · ');
  return (
    rank(ACTION_ORDER, actionA) - rank(ACTION_ORDER, actionB) ||
    rank(STATE_ORDER, stateA) - rank(STATE_ORDER, stateB) ||
    a.localeCompare(b)
  );
}

/**
 * Buckets entries by `updatedAt` (UTC hours for spans up to two days, else UTC days) over `[from, to]`, widened to
 * every entry's time (a clock ahead of this machine still shows) and capped at the last 366 days.
 */
export function toChartBuckets(entries: readonly LedgerEntry[], from: number, to: number): Chart {
  // reduce, not Math.max(...times): a spread of a week's ledger can exceed the call stack.
  const end = entries.reduce((max, e) => Math.max(max, e.updatedAt), Math.max(from, to));
  const earliest = entries.reduce((min, e) => Math.min(min, e.updatedAt), from);
  const start = Math.max(earliest, end - MAX_DAYS * DAY);
  const unit: BucketUnit = end - start <= HOURLY_SPAN ? 'hour' : 'day';
  const size = UNIT_MS[unit];
  const first = Math.floor(start / size) * size;
  const count = Math.floor(end / size) - first / size + 1;
  const counts: Record<string, number>[] = Array.from({ length: count }, () => ({}));
  const series = new Set<string>();
  for (const entry of entries) {
    if (entry.updatedAt < first) continue;
    const key = seriesOf(entry);
    const bucket = counts[Math.floor((entry.updatedAt - first) / size)];
    bucket[key] = (bucket[key] ?? 0) + 1;
    series.add(key);
  }
  return {
    unit,
    series: [...series].sort(compareSeries),
    buckets: counts.map((c, i) => ({ start: first + i * size, counts: c })),
  };
}

/** Escapes text for HTML content and quoted attribute values. */
function esc(value: string | number | undefined): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function colorsOf(series: readonly string[]): Map<string, string> {
  let spare = 0;
  return new Map(series.map((s) => [s, COLORS[s] ?? SPARE_COLORS[spare++ % SPARE_COLORS.length]]));
}

function toBucketLabel(start: number, unit: BucketUnit): string {
  const iso = new Date(start).toISOString();
  return unit === 'day' ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

function toChartSvg(chart: Chart): string {
  const total = (b: ChartBucket) => Object.values(b.counts).reduce((sum, n) => sum + n, 0);
  if (chart.series.length === 0) return '<p class="none">(none)</p>';
  const colors = colorsOf(chart.series);
  const [width, height, left, bottom, top] = [960, 240, 44, 36, 12];
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const max = chart.buckets.reduce((m, b) => Math.max(m, total(b)), 1);
  const slot = plotWidth / chart.buckets.length;
  const barWidth = Math.max(1, slot * 0.8);
  const labelEvery = Math.ceil(chart.buckets.length / 12);
  const y = (n: number) => top + plotHeight - (n / max) * plotHeight;
  const parts: string[] = [];
  for (const tick of [...new Set([0, Math.round(max / 2), max])]) {
    parts.push(
      `<line x1="${left}" x2="${width - 8}" y1="${y(tick)}" y2="${y(tick)}" class="grid"/>`,
      `<text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`,
    );
  }
  chart.buckets.forEach((bucket, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    const label = toBucketLabel(bucket.start, chart.unit);
    let stacked = 0;
    for (const series of chart.series) {
      const n = bucket.counts[series] ?? 0;
      if (n === 0) continue;
      const barTop = y(stacked + n);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${barTop.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(stacked) - barTop).toFixed(1)}" fill="${colors.get(series)}"><title>${esc(`${label} UTC · ${series}: ${n}`)}</title></rect>`,
      );
      stacked += n;
    }
    if (i % labelEvery === 0) {
      parts.push(
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${esc(label)}</text>`,
      );
    }
  });
  const legend = chart.series
    .map((s) => `<li><span class="swatch" style="background:${colors.get(s)}"></span>${esc(s)}</li>`)
    .join('');
  return [
    `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="Ledger entries per ${chart.unit}, stacked by action and state">`,
    ...parts,
    '</svg>',
    `<ul class="legend">${legend}</ul>`,
    `<p class="note">Ledger entries per ${chart.unit} (UTC) by last update, stacked by action and state.</p>`,
  ].join('\n');
}

function toHtmlTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '<p class="none">(none)</p>';
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Cells are escaped here; `<br>` is the only markup added. */
const cell = (value: string | number | undefined) => esc(value);
const lines = (values: readonly string[]) => values.map(esc).join('<br>');
const state = (value: string) => `<span class="state ${esc(value)}">${esc(value)}</span>`;
const queueOf = (e: LedgerEntry) => cell(e.jobQueue ? toShortName(e.jobQueue) : '');

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #e5e7eb; padding-bottom: .25rem; }
.meta, .note { color: #6b7280; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; padding: 0; list-style: none; }
.cards li { border: 1px solid #e5e7eb; border-radius: 6px; padding: .5rem .9rem; min-width: 7rem; }
.cards b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #e5e7eb; }
th { background: #f9fafb; font-weight: 600; }
td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-word; }
.none { color: #6b7280; font-style: italic; }
.state { border-radius: 4px; padding: 0 .35rem; }
.state.done { background: #dcfce7; }
.state.claimed { background: #fef9c3; }
.state.failed { background: #fee2e2; }
svg { width: 100%; height: auto; font-size: 11px; fill: #4b5563; }
svg .grid { stroke: #e5e7eb; }
.legend { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; margin: .5rem 0; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .35rem; vertical-align: -1px; }
`;

/** Renders a report as one static HTML page; every value from the account is escaped. */
export function toHtmlReport(data: ReportData): string {
  const { counts } = data;
  const cards = (
    [
      ['flagged', counts.flagged],
      ['resubmitted', counts.resubmitted],
      ['failed', counts.failed],
      ['in progress', counts.inProgress],
      ['ledger entries', counts.total],
      ['stale jobs now', counts.staleJobs],
    ] as const
  )
    .map(([label, n]) => `<li><b>${n}</b>${esc(label)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>rotation-reactor report · ${esc(toIsoTime(data.generatedAt))}</title>
<style>${CSS}</style>
</head>
<body>
<h1>rotation-reactor report</h1>
<p class="meta">Generated ${esc(toIsoTime(data.generatedAt))} · actions since ${esc(toIsoTime(data.since))} · times in UTC</p>
<ul class="cards">${cards}</ul>
<h2>Actions over time</h2>
${toChartSvg(toChartBuckets(data.actions, data.since, data.generatedAt))}
<h2>Stale inventory (${data.inventory.length})</h2>
<p class="note">Jobs flagged as holding a stale value and not replaced yet.</p>
${toHtmlTable(
  ['job', 'name', 'queue', 'stale since', 'references', 'action'],
  data.inventory.map((e) => [
    cell(e.jobId),
    cell(e.jobName),
    queueOf(e),
    cell(toIsoTime(e.staleSince)),
    lines(e.references),
    cell(e.action),
  ]),
)}
<h2>Recent actions (${data.actions.length})</h2>
${toHtmlTable(
  ['time', 'job', 'name', 'action', 'state', 'replacement', 'note'],
  data.actions.map((e) => [
    cell(toIsoTime(e.updatedAt)),
    cell(e.jobId),
    cell(e.jobName),
    cell(e.action),
    state(e.state),
    cell(e.replacementJobId),
    cell(e.note),
  ]),
)}
<h2>Failures (${data.failures.length})</h2>
${toHtmlTable(
  ['time', 'job', 'name', 'action', 'attempts', 'error'],
  data.failures.map((e) => [
    cell(toIsoTime(e.updatedAt)),
    cell(e.jobId),
    cell(e.jobName),
    cell(e.action),
    cell(e.attempts),
    cell(e.error),
  ]),
)}
</body>
</html>
`;
}
