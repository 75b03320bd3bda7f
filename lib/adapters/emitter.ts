/**
 * Output events on EventBridge: PutEvents in requests of at most 10 entries and under 256 KB, retrying only
 * the entries that failed with a retryable code. Delivery failures are reported, never thrown.
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import pMap from 'p-map';
import type { Emitter, OutputEvent } from '../core/ports';

/** Options of {@link createEmitter}. */
export interface EmitterOptions {
  readonly eventBusName: string;
  /** Event source; default `rotation-reactor`. */
  readonly source?: string;
  /** Tries per entry, the first included; default 3. */
  readonly maxAttempts?: number;
  /** Requests in flight at once; default 4. */
  readonly concurrency?: number;
  readonly clock?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Most entries one PutEvents request accepts. */
export const MAX_ENTRIES_PER_REQUEST = 10;
/** The total entry size of one request must be below this (bytes). */
export const MAX_REQUEST_BYTES = 256 * 1024;

const RETRYABLE_CODES: ReadonlySet<string> = new Set(['InternalFailure', 'ThrottlingException']);
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;
// A set Time counts as 14 bytes in EventBridge's entry-size formula.
const TIME_BYTES = 14;

interface Pending {
  readonly index: number;
  readonly entry: PutEventsRequestEntry;
  readonly bytes: number;
}

type Failure = { index: number; error: string };

/** Creates the EventBridge emitter over a client the caller built. */
export function createEmitter(client: EventBridgeClient, options: EmitterOptions): Emitter {
  const source = options.source ?? 'rotation-reactor';
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function sendChunk(chunk: readonly Pending[]): Promise<Failure[]> {
    const failures: Failure[] = [];
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let results: { ErrorCode?: string; ErrorMessage?: string }[];
      try {
        const out = await client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
        results = out.Entries ?? [];
      } catch (error) {
        // The SDK has already retried the call itself; what is left is not worth another round here.
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return [...failures, ...pending.map((p) => ({ index: p.index, error: message }))];
      }
      const retry: Pending[] = [];
      pending.forEach((p, i) => {
        // A 200 response can still fail entries: each result sits at its entry's index.
        const code = results[i]?.ErrorCode;
        if (!code) return;
        const error = `${code}: ${results[i].ErrorMessage ?? 'no message'}`;
        if (RETRYABLE_CODES.has(code) && attempt < maxAttempts) retry.push(p);
        else
          failures.push({
            index: p.index,
            error: RETRYABLE_CODES.has(code) ? `${error} (after ${attempt} attempts)` : error,
          });
      });
      pending = retry;
      if (pending.length > 0) await sleep(toBackoff(attempt));
    }
    return failures;
  }

  return {
    async emit(events) {
      if (events.length === 0) return { failed: [] };
      const time = new Date(clock());
      const failures: Failure[] = [];
      const fitting: Pending[] = [];
      events.forEach((event, index) => {
        const entry = toEntry(event, source, options.eventBusName, time);
        const bytes = toEntrySize(entry);
        if (bytes >= MAX_REQUEST_BYTES)
          failures.push({ index, error: `entry too large: ${bytes} bytes (limit 256 KB)` });
        else fitting.push({ index, entry, bytes });
      });
      const sent = await pMap(toChunks(fitting), sendChunk, { concurrency });
      failures.push(...sent.flat());
      failures.sort((a, b) => a.index - b.index);
      return { failed: failures.map((f) => ({ event: events[f.index], error: f.error })) };
    },
  };
}

/** Size of one entry as EventBridge counts it against the 256 KB request limit. */
export function toEntrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  let size = entry.Time ? TIME_BYTES : 0;
  size += bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail);
  for (const resource of entry.Resources ?? []) size += bytes(resource);
  return size;
}

function toEntry(event: OutputEvent, source: string, eventBusName: string, time: Date): PutEventsRequestEntry {
  return {
    Source: source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Resources: event.resources ? [...event.resources] : undefined,
    EventBusName: eventBusName,
    Time: time,
  };
}

function toChunks(pending: readonly Pending[]): Pending[][] {
  const chunks: Pending[][] = [];
  let chunk: Pending[] = [];
  let bytes = 0;
  for (const p of pending) {
    if (chunk.length === MAX_ENTRIES_PER_REQUEST || bytes + p.bytes >= MAX_REQUEST_BYTES) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(p);
    bytes += p.bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

// Exponential with equal jitter: never zero, never all callers in lockstep.
function toBackoff(attempt: number): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
