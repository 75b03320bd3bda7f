/**
 * `valueFrom` strings → canonical references, and the resource identity they share with change events.
 * Formats and their sources: ../shared/reference/aws-semantics.md §4.
 */
import { dropUndefined } from './objects';

/** Where a job runs: bare SSM names and `/aws/reference/…` names resolve here. */
export interface Home {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** An SSM `name:N` (version) or `name:label` selector. */
export type SsmSelector =
  | { readonly kind: 'version'; readonly version: number }
  | { readonly kind: 'label'; readonly label: string };

/** A Parameter Store parameter as a job reads it. `name` never has a leading slash (`/a` ≡ `a`). */
export interface SsmReference {
  readonly kind: 'ssm';
  readonly valueFrom: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly selector?: SsmSelector;
}

/** A Secrets Manager secret as a job reads it, directly or through `/aws/reference/secretsmanager/`. */
export interface SecretReference {
  readonly kind: 'secret';
  readonly valueFrom: string;
  readonly via: 'secretsmanager' | 'parameter-store';
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The secret's name, or its name plus the 6-character suffix of a complete ARN. */
  readonly secretId: string;
  readonly jsonKey?: string;
  readonly versionStage?: string;
  readonly versionId?: string;
}

/** A `valueFrom` the reactor cannot interpret; kept and reported, never dropped. */
export interface InvalidReference {
  readonly kind: 'invalid';
  readonly valueFrom: string;
  readonly reason: string;
}

/** Any parsed `valueFrom`. */
export type Reference = SsmReference | SecretReference | InvalidReference;

/** A changed resource, as a change event names it. */
export type Resource =
  | {
      readonly kind: 'ssm';
      readonly partition: string;
      readonly region: string;
      readonly account: string;
      readonly name: string;
    }
  | {
      readonly kind: 'secret';
      readonly partition: string;
      readonly region: string;
      readonly account: string;
      readonly secretId: string;
      /** True when `secretId` is known to come from a complete ARN (it ends in the 6-character suffix). */
      readonly complete: boolean;
    };

/** The AWS partition a region belongs to (`cn-*` → `aws-cn`, `us-gov-*` → `aws-us-gov`, else `aws`). */
export function toPartition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const SSM_ARN = /^arn:([a-z-]+):ssm:([a-z0-9-]+):(\d{12}):parameter\/(.+)$/;
const SECRET_ARN = /^arn:([a-z-]+):secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;
const SSM_NAME = /^[A-Za-z0-9_.\-/]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const SECRET_SUFFIX = /-[A-Za-z0-9]{6}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SECRETS_VIA_SSM = 'aws/reference/secretsmanager/';

const invalid = (valueFrom: string, reason: string): InvalidReference => ({ kind: 'invalid', valueFrom, reason });
const withoutLeadingSlash = (name: string) => (name.startsWith('/') ? name.slice(1) : name);
const optional = (part: string | undefined) => (part ? part : undefined);

/** Parses a Batch `valueFrom` (SSM name or ARN, Secrets Manager ARN, `/aws/reference/secretsmanager/…`); never throws. */
export function parseReference(valueFrom: string, home: Home): Reference {
  const value = valueFrom.trim();
  if (value === '') return invalid(valueFrom, 'empty valueFrom');
  const secretArn = SECRET_ARN.exec(value);
  if (secretArn) {
    const [, partition, region, account, rest] = secretArn;
    return parseSecretArnRest(valueFrom, { partition, region, account }, rest, 'secretsmanager');
  }
  const ssmArn = SSM_ARN.exec(value);
  if (ssmArn) {
    const [, partition, region, account, rest] = ssmArn;
    return parseSsmName(valueFrom, { partition, region, account }, rest);
  }
  if (value.startsWith('arn:'))
    return invalid(valueFrom, 'an ARN that is neither an SSM parameter nor a Secrets Manager secret');
  return parseSsmName(valueFrom, home, value);
}

function parseSsmName(valueFrom: string, home: Home, nameWithSelector: string): Reference {
  const name = withoutLeadingSlash(nameWithSelector);
  if (name.startsWith(SECRETS_VIA_SSM)) return parseSecretViaSsm(valueFrom, home, name.slice(SECRETS_VIA_SSM.length));
  const parts = name.split(':');
  if (parts.length > 2) return invalid(valueFrom, 'an SSM parameter reference has at most one ":selector"');
  const [bare, selector] = parts;
  if (bare === '' || !SSM_NAME.test(bare)) return invalid(valueFrom, 'not a valid SSM parameter name');
  const base = { kind: 'ssm' as const, valueFrom, ...home, name: bare };
  if (selector === undefined) return base;
  if (selector === '') return invalid(valueFrom, 'empty SSM selector after ":"');
  return /^\d+$/.test(selector)
    ? { ...base, selector: { kind: 'version', version: Number(selector) } }
    : { ...base, selector: { kind: 'label', label: selector } };
}

function parseSecretViaSsm(valueFrom: string, home: Home, rest: string): Reference {
  const arn = SECRET_ARN.exec(rest);
  if (arn) {
    const [, partition, region, account, arnRest] = arn;
    return parseSecretArnRest(valueFrom, { partition, region, account }, arnRest, 'parameter-store');
  }
  // Parameter Store passes `<secret-id>[:<stage or version-id>]` through to Secrets Manager.
  const [secretId, selector, ...extra] = rest.split(':');
  if (extra.length > 0 || !secretId || !SECRET_NAME.test(secretId)) {
    return invalid(valueFrom, 'not a valid /aws/reference/secretsmanager/ secret name');
  }
  const base = { kind: 'secret' as const, valueFrom, via: 'parameter-store' as const, ...home, secretId };
  if (!selector) return base;
  return UUID.test(selector) ? { ...base, versionId: selector } : { ...base, versionStage: selector };
}

function parseSecretArnRest(valueFrom: string, home: Home, rest: string, via: SecretReference['via']): Reference {
  // The ECS agent accepts exactly `secret:id` or `secret:id:json-key:version-stage:version-id` (aws-semantics §4.2).
  const parts = rest.split(':');
  if (parts.length !== 1 && parts.length !== 4) {
    return invalid(
      valueFrom,
      'a Secrets Manager ARN takes ":json-key:version-stage:version-id" (all three colons) or nothing',
    );
  }
  const [secretId, jsonKey, versionStage, versionId] = parts;
  if (!secretId || !SECRET_NAME.test(secretId)) return invalid(valueFrom, 'not a valid Secrets Manager secret name');
  if (versionStage && versionId) return invalid(valueFrom, 'version-stage and version-id are mutually exclusive');
  const reference: SecretReference = {
    kind: 'secret',
    valueFrom,
    via,
    ...home,
    secretId,
    jsonKey: optional(jsonKey),
    versionStage: optional(versionStage),
    versionId: optional(versionId),
  };
  return dropUndefined(reference);
}

/** The secret name without a complete ARN's `-XXXXXX` suffix, or undefined when the id has no suffix shape. */
export function toSecretNameGuess(secretId: string): string | undefined {
  return SECRET_SUFFIX.test(secretId) ? secretId.slice(0, -7) : undefined;
}

const scope = (r: { partition: string; region: string; account: string }) => `${r.partition}:${r.region}:${r.account}`;

/** Hash keys under which a reference is indexed; a resource that may be named by it looks up `toLookupKeys`. */
export function toIndexKeys(reference: SsmReference | SecretReference): string[] {
  if (reference.kind === 'ssm') return [`ssm:${scope(reference)}:${reference.name}`];
  const guess = toSecretNameGuess(reference.secretId);
  const keys = [`secret:${scope(reference)}:${reference.secretId}`];
  return guess === undefined ? keys : [...keys, `secret:${scope(reference)}:${guess}`];
}

/** Hash keys to look up for a changed resource; candidates are confirmed with `namesResource`. */
export function toLookupKeys(resource: Resource): string[] {
  if (resource.kind === 'ssm') return [`ssm:${scope(resource)}:${withoutLeadingSlash(resource.name)}`];
  const guess = toSecretNameGuess(resource.secretId);
  const keys = [`secret:${scope(resource)}:${resource.secretId}`];
  return guess === undefined ? keys : [...keys, `secret:${scope(resource)}:${guess}`];
}

/**
 * True when the reference points at the changed resource. A partial secret ARN (name only) matches the complete
 * one; two complete ARNs must agree on the suffix (a re-created secret is another secret).
 */
export function namesResource(reference: SsmReference | SecretReference, resource: Resource): boolean {
  if (reference.kind !== resource.kind || scope(reference) !== scope(resource)) return false;
  if (reference.kind === 'ssm' && resource.kind === 'ssm') return reference.name === withoutLeadingSlash(resource.name);
  if (reference.kind !== 'secret' || resource.kind !== 'secret') return false;
  const ref = reference.secretId;
  const changed = resource.secretId;
  if (ref === changed) return true;
  if (toSecretNameGuess(changed) === ref) return true;
  return !resource.complete && toSecretNameGuess(ref) === changed;
}

/** The canonical text of a resource, for keys, logs and reports. */
export function toResourceKey(resource: Resource): string {
  return resource.kind === 'ssm'
    ? `ssm:${scope(resource)}:${withoutLeadingSlash(resource.name)}`
    : `secret:${scope(resource)}:${resource.secretId}`;
}

/** The ARN of a changed resource (a hierarchical SSM name has no double slash). */
export function toResourceArn(resource: Resource): string {
  return resource.kind === 'ssm'
    ? `arn:${resource.partition}:ssm:${resource.region}:${resource.account}:parameter/${withoutLeadingSlash(resource.name)}`
    : `arn:${resource.partition}:secretsmanager:${resource.region}:${resource.account}:secret:${resource.secretId}`;
}
