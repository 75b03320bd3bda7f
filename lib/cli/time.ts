/** Time flags: ISO-8601, or a relative age such as `30m`, `24h`, `7d` (that long before now). */
import { CliError } from './cli-error';

const RELATIVE = /^(\d+)\s*(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses a time flag to epoch ms, or throws a one-line CliError naming the flag. */
export function parseTime(value: string, flag: string, now: number): number {
  const relative = RELATIVE.exec(value.trim());
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  const absolute = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(absolute)) return absolute;
  throw new CliError(
    `${flag} ${JSON.stringify(value)} is not a time: use ISO-8601 (2026-11-28T12:00:00Z) or an age like 30m, 24h, 7d`,
  );
}
