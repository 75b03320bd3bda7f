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
  /** True for `/aws/reference/secretsmanager/NAME`: `secretId` is exactly the name, even when it ends like a suffix. */
  readonly bareName?: boolean;
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
      /** True when the event named the secret by its bare name only: `secretId` is exactly the name. */
      readonly bareName?: boolean;
    };

/** The AWS partition a region belongs to (`cn-*` → `aws-cn`, `us-gov-*` → `aws-us-gov`, else `aws`). */
export function toPartition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const SSM_ARN = /^arn:([a-z-]+):ssm:([a-z0-9-]+):(\d{12}):parameter\/(.+)$/;
const SECRET_ARN = /^arn:([a-z-]+):secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;

/** A Secrets Manager ARN's parts: where it lives, and the rest after `secret:` (an id, maybe with `:key:stage:id`). */
export interface SecretArnParts extends Home {
  readonly rest: string;
}

/** The one Secrets Manager ARN grammar of the reactor (events, references, metadata); undefined for anything else. */
export function parseSecretArn(value: string): SecretArnParts | undefined {
  const match = SECRET_ARN.exec(value);
  if (!match) return undefined;
  const [, partition, region, account, rest] = match;
  return { partition, region, account, rest };
}

/** True when the text is a valid secret name or id (the characters Secrets Manager allows). */
export function isSecretName(value: string): boolean {
  return SECRET_NAME.test(value);
}
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
  const secretArn = parseSecretArn(value);
  if (secretArn) {
    const { rest, ...where } = secretArn;
    return parseSecretArnRest(valueFrom, where, rest, 'secretsmanager');
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
  const arn = parseSecretArn(rest);
  if (arn) {
    const { rest: arnRest, ...where } = arn;
    return parseSecretArnRest(valueFrom, where, arnRest, 'parameter-store');
  }
  // Parameter Store passes `<secret-id>[:<stage or version-id>]` through to Secrets Manager.
  const [secretId, selector, ...extra] = rest.split(':');
  if (extra.length > 0 || !secretId || !SECRET_NAME.test(secretId)) {
    return invalid(valueFrom, 'not a valid /aws/reference/secretsmanager/ secret name');
  }
  const base = {
    kind: 'secret' as const,
    valueFrom,
    via: 'parameter-store' as const,
    ...home,
    secretId,
    bareName: true,
  };
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

/**
 * How a reference and a changed resource were found to name one resource: `arn` when both carry the same complete
 * secret ARN (the 6-character suffix tells one secret from a deleted and re-created one), or for a parameter (its name
 * is its identity); `name` when a secret was matched by its name alone, because the event or the reference carries
 * no complete ARN, so a secret deleted and re-created under that name matches too.
 */
export type NamedBy = 'arn' | 'name';

/** One way to read a secret id: a complete ARN (`arn` set, `name` its name) or a bare name (`arn` unset). */
type SecretReading = { readonly arn?: string; readonly name: string };

/**
 * The secrets an id may name. AWS is exact where the id is: a complete ARN names one secret, a bare name or a
 * suffix-less partial ARN one name. An ARN as someone typed it that ends in `-XXXXXX` is read both ways: Secrets
 * Manager takes it for a complete ARN, but it may be the partial ARN of a name that ends like a suffix.
 */
function toSecretReadings(secretId: string, form: 'complete' | 'typed' | 'name'): SecretReading[] {
  const name = toSecretNameGuess(secretId);
  if (form === 'name' || name === undefined) return [{ name: secretId }];
  if (form === 'complete') return [{ arn: secretId, name }];
  return [{ arn: secretId, name }, { name: secretId }];
}

function referenceReadings(reference: SecretReference): SecretReading[] {
  return toSecretReadings(reference.secretId, reference.bareName ? 'name' : 'typed');
}

function resourceReadings(resource: Extract<Resource, { kind: 'secret' }>): SecretReading[] {
  const form = resource.bareName ? 'name' : resource.complete ? 'complete' : 'typed';
  return toSecretReadings(resource.secretId, form);
}

/** Hash keys under which a reference is indexed; a resource that may be named by it looks up `toLookupKeys`. */
export function toIndexKeys(reference: SsmReference | SecretReference): string[] {
  if (reference.kind === 'ssm') return [`ssm:${scope(reference)}:${reference.name}`];
  return toSecretKeys(reference, referenceReadings(reference));
}

/** Hash keys to look up for a changed resource; candidates are confirmed with `toNamedBy`. */
export function toLookupKeys(resource: Resource): string[] {
  if (resource.kind === 'ssm') return [`ssm:${scope(resource)}:${withoutLeadingSlash(resource.name)}`];
  return toSecretKeys(resource, resourceReadings(resource));
}

// Every match pairs two readings of one name, so the names are the keys.
function toSecretKeys(at: Home, readings: readonly SecretReading[]): string[] {
  return [...new Set(readings.map((reading) => `secret:${scope(at)}:${reading.name}`))];
}

/**
 * How the reference names the changed resource, or undefined when it does not. Parameters match by name (`/a` ≡ `a`);
 * two complete secret ARNs must agree on the suffix (a re-created secret is another secret); otherwise a secret
 * matches by its name, and a bare name is exact: `billing` never names `billing-prod01`.
 */
export function toNamedBy(reference: SsmReference | SecretReference, resource: Resource): NamedBy | undefined {
  if (reference.kind !== resource.kind || scope(reference) !== scope(resource)) return undefined;
  if (reference.kind === 'ssm' && resource.kind === 'ssm') {
    return reference.name === withoutLeadingSlash(resource.name) ? 'arn' : undefined;
  }
  if (reference.kind !== 'secret' || resource.kind !== 'secret') return undefined;
  let namedBy: NamedBy | undefined;
  for (const ours of referenceReadings(reference)) {
    for (const theirs of resourceReadings(resource)) {
      if (ours.arn !== undefined && ours.arn === theirs.arn) return 'arn';
      const eitherIsAName = ours.arn === undefined || theirs.arn === undefined;
      if (eitherIsAName && ours.name === theirs.name) namedBy = 'name';
    }
  }
  return namedBy;
}

/** True when the reference points at the changed resource (see `toNamedBy`). */
export function namesResource(reference: SsmReference | SecretReference, resource: Resource): boolean {
  return toNamedBy(reference, resource) !== undefined;
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
