/** Human-readable output: tables for terminals (JSON output is the `--json` flag's job). */
import Table from 'cli-table3';

/** Renders rows as a table with a header; an empty list renders as `(none)`. */
export function toTable(head: readonly string[], rows: readonly (readonly (string | number | undefined)[])[]): string {
  if (rows.length === 0) return '  (none)';
  const table = new Table({ head: [...head], style: { head: [], border: [] }, wordWrap: true });
  for (const row of rows) table.push(row.map((cell) => (cell === undefined ? '' : String(cell))));
  return table.toString();
}

/** ISO time without milliseconds, or an empty string. */
export function toIsoTime(epochMs: number | undefined): string {
  return epochMs === undefined ? '' : new Date(epochMs).toISOString().replace('.000Z', 'Z');
}

/** The short id of a job ARN or id (`job/abc` → `abc`). */
export function toShortName(arnOrName: string): string {
  return arnOrName.replace(/^arn:[^/]+\//, '');
}
