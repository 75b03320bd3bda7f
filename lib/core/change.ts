/**
 * EventBridge change events (SSM Parameter Store, Secrets Manager native and CloudTrail) → `Change`, or a
 * rejection with a one-line reason. Shapes and sources: ../shared/reference/aws-semantics.md §1–2.
 */
import type { Resource } from './reference';

/** What a change did to the value a newly started container would read. */
export type Effect =
  | { readonly kind: 'value-changed' }
  | { readonly kind: 'label-moved'; readonly label: string }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'none'; readonly why: string };

/** One understood change event. */
export interface Change {
  readonly service: 'ssm' | 'secretsmanager';
  /** Human-readable kind, e.g. `Parameter Store Change/Update`, `AWS API Call via CloudTrail/PutSecretValue`. */
  readonly kind: string;
  readonly resource: Resource;
  readonly effect: Effect;
  /** Epoch ms of the change (CloudTrail `eventTime` when present, else the envelope `time`). */
  readonly changedAt: number;
  /** EventBridge envelope `id`. */
  readonly eventId: string;
  /** CloudTrail `detail.eventID`, stable across duplicate deliveries. */
  readonly cloudTrailEventId?: string;
  /** Set on events replayed from an archive (`replay-name`). */
  readonly replayName?: string;
  /** New version id / number when the event tells it. */
  readonly version?: string;
}

/** Result of parsing one event. */
export type ParsedChange =
  | { readonly ok: true; readonly change: Change }
  | { readonly ok: false; readonly reason: string };

/** Parses one EventBridge event (already JSON-decoded); never throws. */
export function parseChange(_event: unknown): ParsedChange {
  return { ok: false, reason: 'not implemented yet' };
}
