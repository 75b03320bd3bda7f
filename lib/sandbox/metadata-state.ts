/**
 * What the sandbox's Parameter Store and Secrets Manager know: names, versions, stages and dates, loaded from a fleet
 * snapshot's `metadata` section and changed by the seeding calls. No value is ever stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ArnScope } from './arns';
import type { Clock } from './clock';
import type { FleetMetadata } from './metadata-snapshot';

/** A parameter; `name` is as created. */
export interface ParameterRecord {
  readonly name: string;
  type: 'String' | 'StringList' | 'SecureString';
  version: number;
  lastModifiedDate: number;
  description?: string;
}

/** A version of a secret; `stages` empty for a deprecated version. */
export interface SecretVersionRecord {
  readonly versionId: string;
  readonly createdDate: number;
  stages: string[];
}

/** A secret; `versions` in creation order. */
export interface SecretRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdDate: number;
  description?: string;
  lastChangedDate: number;
  lastRotatedDate?: number;
  deletedDate?: number;
  tags?: { Key: string; Value: string }[];
  readonly versions: SecretVersionRecord[];
}

/** The metadata served, with the indexes that keep each request O(page). */
export interface MetadataState {
  readonly scope: ArnScope;
  readonly clock: Clock;
  /** By `toParameterKey`, in creation order. */
  readonly parameters: Map<string, ParameterRecord>;
  /** By name, in creation order. */
  readonly secrets: Map<string, SecretRecord>;
  readonly secretsByArn: Map<string, SecretRecord>;
}

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `/x` and `x` are one single-level parameter (aws-semantics §1.3); hierarchical names keep their slash. */
export function toParameterKey(name: string): string {
  return name.startsWith('/') && !name.slice(1).includes('/') ? name.slice(1) : name;
}

/** `arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME` without a double slash for hierarchical names. */
export function toParameterArn(scope: ArnScope, name: string): string {
  return `arn:${scope.partition}:ssm:${scope.region}:${scope.account}:parameter/${name.replace(/^\//, '')}`;
}

/** The complete ARN of a new secret: its name and a random 6-character suffix, as Secrets Manager makes them. */
export function toNewSecretArn(scope: ArnScope, name: string): string {
  const suffix = [...randomBytes(6)].map((byte) => SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length]).join('');
  return `arn:${scope.partition}:secretsmanager:${scope.region}:${scope.account}:secret:${name}-${suffix}`;
}

/** Creates the state from a snapshot's metadata (none: empty). */
export function createMetadataState(metadata: FleetMetadata | undefined, scope: ArnScope, clock: Clock): MetadataState {
  const state: MetadataState = { scope, clock, parameters: new Map(), secrets: new Map(), secretsByArn: new Map() };
  for (const p of metadata?.parameters ?? []) {
    state.parameters.set(toParameterKey(p.name), {
      name: p.name,
      type: p.type,
      version: p.version,
      lastModifiedDate: p.lastModifiedDate,
      ...(p.description === undefined ? {} : { description: p.description }),
    });
  }
  for (const s of metadata?.secrets ?? []) {
    const versions = [...s.versions]
      .sort((a, b) => a.createdDate - b.createdDate)
      .map((v) => ({ versionId: v.versionId, createdDate: v.createdDate, stages: [...v.stages] }));
    const newest = versions.at(-1)?.createdDate;
    const oldest = versions[0]?.createdDate;
    const createdDate = s.createdDate ?? oldest ?? s.lastChangedDate ?? clock.now();
    addSecret(state, {
      name: s.name,
      arn: s.arn ?? toNewSecretArn(scope, s.name),
      createdDate,
      lastChangedDate: s.lastChangedDate ?? newest ?? createdDate,
      versions,
      ...(s.description === undefined ? {} : { description: s.description }),
      ...(s.lastRotatedDate === undefined ? {} : { lastRotatedDate: s.lastRotatedDate }),
      ...(s.deletedDate === undefined ? {} : { deletedDate: s.deletedDate }),
    });
  }
  return state;
}

/** Adds a secret to both indexes. */
export function addSecret(state: MetadataState, record: SecretRecord): void {
  state.secrets.set(record.name, record);
  state.secretsByArn.set(record.arn, record);
}

/** Removes a secret from both indexes. */
export function removeSecret(state: MetadataState, record: SecretRecord): void {
  state.secrets.delete(record.name);
  state.secretsByArn.delete(record.arn);
}

/**
 * Attaches `stage` to `versionId` only (a stage names one version at most). Moving AWSCURRENT leaves AWSPREVIOUS on
 * the version it left, as Secrets Manager does.
 */
export function moveStage(secret: SecretRecord, stage: string, versionId: string): void {
  const from = secret.versions.find((v) => v.stages.includes(stage));
  if (from?.versionId === versionId) return;
  for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== stage);
  secret.versions.find((v) => v.versionId === versionId)?.stages.push(stage);
  if (stage === 'AWSCURRENT' && from) moveStage(secret, 'AWSPREVIOUS', from.versionId);
}

/** A new version id, as Secrets Manager makes them when the caller gives no ClientRequestToken. */
export function toNewVersionId(): string {
  return randomUUID();
}
