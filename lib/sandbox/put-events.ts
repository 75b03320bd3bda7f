import { randomUUID } from 'node:crypto';
import { validationError } from './api-error';
import type { Clock } from './clock';
import type { FaultInjector } from './faults';
import type { Body } from './request-body';

/** An event the sandbox accepted through PutEvents, with `detail` parsed and `time` as an ISO string. */
export interface CapturedEvent {
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly resources: readonly string[];
  readonly eventBusName: string;
  readonly time: string;
}

/** What PutEvents needs besides the request. */
export interface PutEventsContext {
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly events: CapturedEvent[];
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const maxRequestBytes = 256 * 1024;

/**
 * EventBridge `PutEvents`: 1–10 entries (else ValidationException); an entry without Source, DetailType or Detail,
 * or whose Detail is not a JSON object, fails with InvalidArgument; unparseable Detail with MalformedDetail;
 * `putEventsFailureRate` fails entries with InternalFailure. A request in which no entry has all three fields fails
 * as a whole, as AWS documents.
 */
export function putEvents(context: PutEventsContext, body: Body): Record<string, unknown> {
  const entries = body.Entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
    throw validationError(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10`,
    );
  }
  const candidates = entries.map(toCandidate);
  if (candidates.every((candidate) => candidate.kind === 'missing')) {
    throw validationError('None of the entries have Source, DetailType and Detail');
  }
  const size = candidates.reduce((total, candidate) => total + (candidate.kind === 'valid' ? candidate.size : 0), 0);
  if (size > maxRequestBytes) throw validationError('Total size of the entries in the request is over the limit');
  const results = candidates.map((candidate): EntryResult => {
    if (candidate.kind === 'malformed') return { ErrorCode: 'MalformedDetail', ErrorMessage: candidate.message };
    if (candidate.kind !== 'valid') return { ErrorCode: 'InvalidArgument', ErrorMessage: candidate.message };
    if (context.faults.drawEntryFailure('PutEvents')) {
      return { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' };
    }
    const event = { ...candidate.event, time: candidate.event.time ?? toIsoSeconds(context.clock.now()) };
    context.events.push(event);
    return { EventId: event.id };
  });
  return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
}

type Candidate =
  | { readonly kind: 'valid'; readonly event: Omit<CapturedEvent, 'time'> & { time?: string }; readonly size: number }
  | { readonly kind: 'missing' | 'invalid' | 'malformed'; readonly message: string };

function toCandidate(entry: unknown): Candidate {
  if (typeof entry !== 'object' || entry === null) return { kind: 'missing', message: 'The entry must be an object.' };
  const { Source, DetailType, Detail, Resources, EventBusName, Time } = entry as Body;
  const missing = Object.entries({ Source, DetailType, Detail }).find(
    ([, value]) => typeof value !== 'string' || value === '',
  )?.[0];
  if (missing !== undefined) {
    return {
      kind: 'missing',
      message: `Parameter ${missing} is not valid. Reason: ${missing} is a required argument.`,
    };
  }
  if ((DetailType as string).length > 128) {
    return { kind: 'invalid', message: 'Parameter DetailType is not valid. Reason: it is longer than 128 characters.' };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(Detail as string);
  } catch {
    return { kind: 'malformed', message: 'Detail is malformed.' };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { kind: 'invalid', message: 'Parameter Detail is not valid. Reason: Detail must be a JSON object.' };
  }
  const resources = Array.isArray(Resources) ? Resources.filter((item) => typeof item === 'string') : [];
  const time = toTime(Time);
  return {
    kind: 'valid',
    event: {
      id: randomUUID(),
      source: Source as string,
      detailType: DetailType as string,
      detail,
      resources,
      eventBusName: typeof EventBusName === 'string' && EventBusName !== '' ? EventBusName : 'default',
      ...(time === undefined ? {} : { time }),
    },
    size: [Source, DetailType, Detail, ...resources].reduce<number>(
      (total, part) => total + Buffer.byteLength(part as string),
      Time === undefined ? 0 : 14,
    ),
  };
}

function toTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return toIsoSeconds(value * 1000);
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return toIsoSeconds(Date.parse(value));
  return undefined;
}

function toIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
