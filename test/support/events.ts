/** Sample events (events/) as EventBridge PutEvents entries, for the tests that route them through moto's bus. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

const EVENTS_DIR = resolve(__dirname, '../../events');

/** The parts of an EventBridge event a PutEvents entry carries. */
export type Envelope = {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  time?: string;
  resources?: string[];
};

/** A sample under events/, by path relative to it (`ssm/parameter-store-change.update.json`). */
export function loadSampleEvent(path: string): Envelope {
  return JSON.parse(readFileSync(join(EVENTS_DIR, path), 'utf8')) as Envelope;
}

/** The PutEvents entry of a sample (on the default bus, its own time), or undefined when it cannot be one. */
export function toPutEventsEntry(sample: unknown): PutEventsRequestEntry | undefined {
  const event = sample as Partial<Envelope>;
  if (!sample || typeof sample !== 'object' || Array.isArray(sample)) return undefined;
  if (typeof event.source !== 'string' || typeof event['detail-type'] !== 'string') return undefined;
  if (!event.detail || typeof event.detail !== 'object') return undefined;
  const time = event.time ? new Date(event.time) : undefined;
  return {
    Source: event.source,
    DetailType: event['detail-type'],
    Detail: JSON.stringify(event.detail),
    Resources: event.resources ?? [],
    EventBusName: 'default',
    ...(time && !Number.isNaN(time.getTime()) ? { Time: time } : {}),
  };
}
