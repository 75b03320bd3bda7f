/** Many events → understood changes and rejections, each tagged with where it came from. */
import { type Change, parseChange } from './change';

/** A rejected event: where it came from and a one-line reason. */
export interface Rejection {
  readonly source: string;
  readonly reason: string;
}

/** A change and where it came from (a file, an SQS message id). */
export interface SourcedChange {
  readonly source: string;
  readonly change: Change;
}

/** Parses every input; bad ones become rejections and never stop the good ones. One event may yield several changes. */
export function parseChanges(inputs: readonly { source: string; event: unknown }[]): {
  changes: SourcedChange[];
  rejected: Rejection[];
} {
  const changes: SourcedChange[] = [];
  const rejected: Rejection[] = [];
  for (const { source, event } of inputs) {
    const parsed = parseChange(event);
    if (parsed.ok) changes.push(...parsed.changes.map((change) => ({ source, change })));
    else rejected.push({ source, reason: parsed.reason });
  }
  return { changes, rejected };
}
