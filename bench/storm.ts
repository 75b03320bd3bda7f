/** The storm: a deploy's worth of change events over the fleet's parameters and secrets, in SQS-sized batches. */
import type { GeneratedFleet } from '../lib/sandbox/fleet-generator';
import { createRandom } from '../lib/sandbox/random';
import { toChangeEvent } from './events';

/** One SQS record: its message id and the EventBridge event in its body. */
export interface StormInput {
  readonly source: string;
  readonly event: unknown;
}

/** What to generate. */
export interface StormShape {
  readonly events: number;
  /** Distinct resources touched; events pile up on the first ones, as a deploy rewrites a few hot values. */
  readonly resources: number;
  readonly batchSize: number;
  readonly seed: number;
  /** The storm ends one second before this time and lasts ten minutes. */
  readonly now: number;
}

/** The storm, ready to deliver. */
export interface Storm {
  readonly batches: readonly (readonly StormInput[])[];
  readonly events: number;
  readonly parameterEvents: number;
  readonly secretEvents: number;
  readonly distinctResources: number;
}

const WINDOW_MS = 10 * 60_000;

/** Generates the storm: SSM `Update` and Secrets Manager `AWSCURRENT` events, oldest first. */
export function toStorm(generated: GeneratedFleet, shape: StormShape): Storm {
  const random = createRandom(shape.seed + 1);
  const pool = [...generated.parameters, ...generated.secrets];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const touched = pool.slice(0, Math.min(shape.resources, pool.length));
  const isParameter = new Set(generated.parameters);
  const inputs: StormInput[] = [];
  const hit = new Set<string>();
  let parameterEvents = 0;
  for (let i = 0; i < shape.events; i++) {
    const resource = touched[Math.floor(random() ** 2 * touched.length)];
    hit.add(resource);
    const parameter = isParameter.has(resource);
    if (parameter) parameterEvents++;
    const at = shape.now - 1000 - WINDOW_MS + Math.floor(((i + 1) * WINDOW_MS) / shape.events);
    const event = toChangeEvent(parameter ? 'ssm-update' : 'secret-awscurrent', resource, at, generated.fleet, random);
    inputs.push({ source: `msg-${String(i + 1).padStart(6, '0')}`, event });
  }
  const batches: StormInput[][] = [];
  for (let i = 0; i < inputs.length; i += shape.batchSize) batches.push(inputs.slice(i, i + shape.batchSize));
  return {
    batches,
    events: inputs.length,
    parameterEvents,
    secretEvents: inputs.length - parameterEvents,
    distinctResources: hit.size,
  };
}
