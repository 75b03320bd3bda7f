import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors';
import { parseFleetSnapshot } from '../core/snapshot';
import { parseFleetMetadata, type SandboxFleet } from './metadata-snapshot';

/** Reads and validates a fleet snapshot file; every failure is one line naming the file. */
export async function loadFleetSnapshot(file: string): Promise<SandboxFleet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read fleet snapshot ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`fleet snapshot ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return toValidFleet(value, `fleet snapshot ${file}`);
}

/**
 * Validates a decoded snapshot (rules in lib/core/snapshot.ts; its optional `metadata` section in
 * metadata-snapshot.ts), or throws one line naming `source`.
 */
export function toValidFleet(value: unknown, source: string): SandboxFleet {
  const parsed = parseFleetSnapshot(value);
  if (!parsed.ok) throw new InvalidInputError(`${source} is invalid: ${parsed.reason}`);
  const metadata = parseFleetMetadata((value as { metadata?: unknown }).metadata, parsed.fleet);
  if (!metadata.ok) throw new InvalidInputError(`${source} is invalid: ${metadata.reason}`);
  const seen = new Set<string>();
  for (const job of parsed.fleet.jobs) {
    if (seen.has(job.jobId)) throw new InvalidInputError(`${source} is invalid: jobId ${job.jobId} appears twice`);
    seen.add(job.jobId);
  }
  const { metadata: _, ...fleet } = parsed.fleet as SandboxFleet;
  return metadata.metadata === undefined ? fleet : { ...fleet, metadata: metadata.metadata };
}
