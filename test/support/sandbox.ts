import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchClient, type BatchClientConfig } from '@aws-sdk/client-batch';
import { EventBridgeClient, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import type { FleetSnapshot } from '../../lib/core/fleet';
import type { Sandbox } from '../../lib/sandbox';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Path of the small fleet the sandbox tests load. */
export const miniFleetFile = join(__dirname, '../../events/fleets/sandbox-mini.json');

/** The small fleet (queues mini-prod / mini-disabled / mini-fair, definitions mini-app:1-2 and mini-mnp:1). */
export function loadMiniFleet(): FleetSnapshot {
  return JSON.parse(readFileSync(miniFleetFile, 'utf8')) as FleetSnapshot;
}

/** A real Batch SDK client pointed at the sandbox. */
export function batchClientFor(target: { endpoint: string; region: string }, config: BatchClientConfig = {}) {
  return new BatchClient({ endpoint: target.endpoint, region: target.region, credentials, ...config });
}

/** A real EventBridge SDK client pointed at the sandbox. */
export function eventBridgeClientFor(sandbox: Sandbox, config: EventBridgeClientConfig = {}) {
  return new EventBridgeClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials, ...config });
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
