/** Human-readable output: tables for terminals (JSON output is the `--json` flag's job). */
import Table from 'cli-table3';

/** A table shows its first rows only, so a run over 100,000 events prints in a blink; `--json` has every row. */
export const TABLE_ROW_LIMIT = 200;

/**
 * Renders rows as a table with a header; an empty list renders as `(none)`. Beyond `limit` rows only the first
 * `limit` are drawn, followed by one line saying how many are left out and that `--json` lists them all.
 */
export function toTable(
  head: readonly string[],
  rows: readonly (readonly (string | number | undefined)[])[],
  limit = TABLE_ROW_LIMIT,
): string {
  if (rows.length === 0) return '  (none)';
  const table = new Table({ head: [...head], style: { head: [], border: [] }, wordWrap: true });
  const shown = Math.min(rows.length, limit);
  // One push per row: cli-table3 spreads its rows into one call, which overflows the stack at ~100,000 rows.
  for (let i = 0; i < shown; i++) table.push(rows[i].map((cell) => (cell === undefined ? '' : String(cell))));
  const hidden = rows.length - shown;
  return hidden === 0
    ? table.toString()
    : `${table.toString()}\n  … ${hidden} more not shown (first ${shown} of ${rows.length} above; --json prints every row)`;
}

/** ISO time without milliseconds, or an empty string. */
export function toIsoTime(epochMs: number | undefined): string {
  return epochMs === undefined ? '' : new Date(epochMs).toISOString().replace('.000Z', 'Z');
}

/** The short id of a job ARN or id (`job/abc` → `abc`). */
export function toShortName(arnOrName: string): string {
  return arnOrName.replace(/^arn:[^/]+\//, '');
}
