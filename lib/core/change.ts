/**
 * EventBridge change events (SSM Parameter Store, Secrets Manager native and CloudTrail) → `Change`s, or a
 * rejection with a one-line reason. Shapes and sources: ../shared/reference/aws-semantics.md §1–2.
 */

import { z } from 'zod';
import { dropUndefined } from './objects';
import {
  isSecretName,
  parseSecretArn,
  type Resource,
  type SecretArnParts,
  toPartition,
  toSecretNameGuess,
} from './reference';

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

/**
 * Result of parsing one event: what it changed (one `Change` per effect: a write that moves several staging labels
 * yields one per label, all with the event's ids), or a rejection.
 */
export type ParsedEvent =
  | { readonly ok: true; readonly changes: readonly Change[] }
  | { readonly ok: false; readonly reason: string };

type SecretResource = Extract<Resource, { kind: 'secret' }>;
type Home = { readonly partition: string; readonly region: string; readonly account: string };
type Outcome = { readonly effects: readonly Effect[]; readonly version?: string } | { readonly reason: string };
type ChangeFields = Omit<Change, 'eventId' | 'replayName' | 'effect'>;

const NOT_HANDLED = 'not a change event rotation-reactor handles';
const BAD_TIME = 'time is not an ISO-8601 timestamp';
const AWSCURRENT = 'AWSCURRENT';
const AWSPREVIOUS = 'AWSPREVIOUS';
const VALUE_CHANGED: Effect = { kind: 'value-changed' };
const ANY_ARN = /^arn:([a-z-]+):/;

const text = z.string().min(1);
const optionalText = text.optional().catch(undefined);
const record = z.custom<Readonly<Record<string, unknown>>>(isRecord);
const isoTime = z.iso.datetime({ offset: true });

const Header = z.object({ source: z.string(), 'detail-type': z.string() });

const Envelope = z.object({
  id: text,
  time: text,
  region: text,
  account: text,
  resources: z.array(z.unknown()).catch([]),
  'replay-name': optionalText,
  detail: record,
});
type Envelope = z.infer<typeof Envelope>;

const ParameterStoreChangeDetail = z.object({
  name: text,
  operation: text,
  label: optionalText,
  toVersion: z.union([text, z.number()]).optional().catch(undefined),
});

const PolicyActionDetail = z.object({
  'parameter-name': optionalText,
  name: optionalText,
  'policy-type': text,
});

const SecretLabelUpdatedDetail = z.object({
  name: optionalText,
  labelUpdated: text,
  versionId: optionalText,
});

const CloudTrailDetail = z.object({
  eventName: text,
  eventTime: optionalText,
  eventID: optionalText,
  awsRegion: optionalText,
  recipientAccountId: optionalText,
  errorCode: z.unknown(),
  requestParameters: z.unknown(),
  responseElements: z.unknown(),
  additionalEventData: z.unknown(),
});
type CloudTrailDetail = z.infer<typeof CloudTrailDetail>;

/** Parses one EventBridge event (already JSON-decoded) into the changes it reports; never throws. */
export function parseChange(event: unknown): ParsedEvent {
  try {
    return parseEvent(event);
  } catch {
    // JSON input never gets here; a hostile object (throwing getter, revoked proxy) still becomes a rejection.
    return reject('not an EventBridge event: the object could not be read');
  }
}

function parseEvent(event: unknown): ParsedEvent {
  if (!isRecord(event)) return reject('not an EventBridge event: expected a JSON object');
  const header = Header.safeParse(event);
  if (!header.success) return reject('not an EventBridge event: source and detail-type must be strings');
  const { source, 'detail-type': detailType } = header.data;
  const parse = PARSERS.get(`${source} / ${detailType}`);
  if (!parse) return reject(`${NOT_HANDLED}: ${oneLine(source)} / ${oneLine(detailType)}`);
  const envelope = Envelope.safeParse(event);
  if (!envelope.success) return reject(toFieldReason(detailType, event, envelope.error.issues, ''));
  return parse(envelope.data, detailType);
}

const PARSERS: ReadonlyMap<string, (envelope: Envelope, detailType: string) => ParsedEvent> = new Map([
  ['aws.ssm / Parameter Store Change', parseParameterStoreChange],
  ['aws.ssm / Parameter Store Policy Action', parsePolicyAction],
  ['aws.secretsmanager / Secret Label Updated', parseSecretLabelUpdated],
  ['aws.secretsmanager / AWS API Call via CloudTrail', parseCloudTrail],
  ['aws.secretsmanager / AWS Service Event via CloudTrail', parseCloudTrail],
]);

const SSM_OPERATIONS: ReadonlyMap<string, Effect> = new Map<string, Effect>([
  ['Create', { kind: 'value-changed' }],
  ['Update', { kind: 'value-changed' }],
  ['Delete', { kind: 'deleted' }],
]);

function parseParameterStoreChange(envelope: Envelope): ParsedEvent {
  const detailType = 'Parameter Store Change';
  const parsed = ParameterStoreChangeDetail.safeParse(envelope.detail);
  if (!parsed.success) return reject(toFieldReason(detailType, envelope.detail, parsed.error.issues, 'detail.'));
  const { name, operation, label, toVersion } = parsed.data;
  const changedAt = toEpochMs(envelope.time);
  if (changedAt === undefined) return reject(BAD_TIME);
  const base = { service: 'ssm' as const, resource: toSsmResource(envelope, name), changedAt };
  const kind = `${detailType}/${oneLine(operation)}`;
  if (operation === 'LabelParameterVersion') {
    if (label === undefined) return reject(`${detailType} without detail.label`);
    const version = toVersion === undefined ? undefined : String(toVersion);
    return accept(envelope, { ...base, kind, version }, [labelMoved(label)]);
  }
  const effect = SSM_OPERATIONS.get(operation) ?? none(`operation ${oneLine(operation)} does not change a value`);
  return accept(envelope, { ...base, kind }, [effect]);
}

const POLICY_TYPES: ReadonlyMap<string, Effect> = new Map<string, Effect>([
  ['Expiration', { kind: 'deleted' }],
  ['ExpirationNotification', none('ExpirationNotification only warns that the parameter will expire')],
  ['NoChangeNotification', none('NoChangeNotification only reports that the value has not changed')],
]);

function parsePolicyAction(envelope: Envelope): ParsedEvent {
  const detailType = 'Parameter Store Policy Action';
  const parsed = PolicyActionDetail.safeParse(envelope.detail);
  if (!parsed.success) return reject(toFieldReason(detailType, envelope.detail, parsed.error.issues, 'detail.'));
  // The current AWS rule example uses `parameter-name`; older revisions of the guide used `name`.
  const name = parsed.data['parameter-name'] ?? parsed.data.name;
  if (name === undefined) return reject(`${detailType} without detail.parameter-name`);
  const policyType = parsed.data['policy-type'];
  const changedAt = toEpochMs(envelope.time);
  if (changedAt === undefined) return reject(BAD_TIME);
  const effect = POLICY_TYPES.get(policyType) ?? none(`policy type ${oneLine(policyType)} does not change the value`);
  return accept(
    envelope,
    {
      service: 'ssm',
      kind: `${detailType}/${oneLine(policyType)}`,
      resource: toSsmResource(envelope, name),
      changedAt,
    },
    [effect],
  );
}

function parseSecretLabelUpdated(envelope: Envelope): ParsedEvent {
  const detailType = 'Secret Label Updated';
  const parsed = SecretLabelUpdatedDetail.safeParse(envelope.detail);
  if (!parsed.success) return reject(toFieldReason(detailType, envelope.detail, parsed.error.issues, 'detail.'));
  const { name, labelUpdated, versionId } = parsed.data;
  const resource =
    toSecretResource(envelope.resources[0], envelopeHome(envelope), true) ??
    toSecretResource(name, envelopeHome(envelope), false);
  if (!resource) return reject(`${detailType} without detail.name`);
  const changedAt = toEpochMs(envelope.time);
  if (changedAt === undefined) return reject(BAD_TIME);
  const effect = labelUpdated === AWSCURRENT ? VALUE_CHANGED : labelMoved(labelUpdated);
  return accept(
    envelope,
    {
      service: 'secretsmanager',
      kind: `${detailType}/${oneLine(labelUpdated)}`,
      resource,
      changedAt,
      version: versionId,
    },
    [effect],
  );
}

const CLOUDTRAIL_EVENTS: ReadonlyMap<string, (detail: CloudTrailDetail, detailType: string) => Outcome> = new Map([
  ['PutSecretValue', decidePutSecretValue],
  ['UpdateSecret', decideUpdateSecret],
  ['UpdateSecretVersionStage', decideUpdateSecretVersionStage],
  // Rotation's last step moves AWSCURRENT (AWSPREVIOUS follows it) and takes AWSPENDING off: no other label moves.
  ['RotationSucceeded', () => only(VALUE_CHANGED)],
  ['DeleteSecret', () => only({ kind: 'deleted' })],
  ['RotateSecret', () => only(none('RotateSecret only starts rotation; AWSCURRENT moves when it succeeds'))],
  ['RotationStarted', () => only(none('rotation started; AWSCURRENT moves when it succeeds'))],
  ['RotationFailed', () => only(none('rotation failed; AWSCURRENT did not move'))],
  [
    'RotationAbandoned',
    () => only(none('rotation abandoned; the version written meanwhile is reported by its own event')),
  ],
  ['RestoreSecret', () => only(none('RestoreSecret makes the unchanged value readable again'))],
]);

function parseCloudTrail(envelope: Envelope, detailType: string): ParsedEvent {
  const parsed = CloudTrailDetail.safeParse(envelope.detail);
  if (!parsed.success) return reject(toFieldReason(detailType, envelope.detail, parsed.error.issues, 'detail.'));
  const detail = parsed.data;
  const decide = CLOUDTRAIL_EVENTS.get(detail.eventName);
  if (!decide) return reject(`${NOT_HANDLED}: aws.secretsmanager / ${detailType} ${oneLine(detail.eventName)}`);
  const resource = toCloudTrailResource(detail, envelope);
  if (!resource) {
    return reject(
      `${detailType} without a secret id (detail.responseElements.arn, detail.additionalEventData.SecretId or detail.requestParameters.secretId)`,
    );
  }
  const changedAt = toEpochMs(detail.eventTime) ?? toEpochMs(envelope.time);
  if (changedAt === undefined) return reject(BAD_TIME);
  const failed = detail.errorCode !== undefined && detail.errorCode !== null;
  const outcome = failed
    ? only(none(`the API call failed: ${oneLine(String(detail.errorCode))}`))
    : decide(detail, detailType);
  if ('reason' in outcome) return reject(outcome.reason);
  const kind = `${detailType}/${detail.eventName}`;
  const { effects, version } = outcome;
  return accept(
    envelope,
    { service: 'secretsmanager', kind, resource, changedAt, cloudTrailEventId: detail.eventID, version },
    effects,
  );
}

function decidePutSecretValue(detail: CloudTrailDetail): Outcome {
  const version = toNewVersion(detail);
  const stages = field(detail.requestParameters, 'versionStages');
  // Without VersionStages, Secrets Manager moves AWSCURRENT to the new version (aws-semantics §2.3).
  if (stages === undefined || stages === null) return { effects: [VALUE_CHANGED], version };
  const labels = [...new Set((Array.isArray(stages) ? stages : [stages]).filter(isText))];
  if (labels.length === 0) return only(none('PutSecretValue attached no staging label to the new version'));
  // Every listed stage moved to the new version. A value change already reaches AWSPREVIOUS-pinned references.
  const current = labels.includes(AWSCURRENT);
  const others = labels.filter((label) => label !== AWSCURRENT && !(current && label === AWSPREVIOUS));
  return { effects: [...(current ? [VALUE_CHANGED] : []), ...others.map(labelMoved)], version };
}

/**
 * CloudTrail logs no secret value and, in the records published, only `{arn}` as the response of a write: the
 * VersionId of the response cannot be relied on. A new value is told by a `secretString` / `secretBinary` key (in case
 * a record keeps the key with a redacted value) or by `clientRequestToken`, the id of the new version. The AWS CLI
 * and SDKs also send a token with a metadata-only update: that reads as a value change, a false flag that is cheaper
 * than a missed stale job.
 */
function decideUpdateSecret(detail: CloudTrailDetail): Outcome {
  const version = toNewVersion(detail);
  const newValue =
    hasField(detail.requestParameters, 'secretString') || hasField(detail.requestParameters, 'secretBinary');
  if (version === undefined && !newValue) {
    return only(none('UpdateSecret changed metadata only (no new value, version or clientRequestToken)'));
  }
  return { effects: [VALUE_CHANGED], version };
}

/** The id of the version a write created: the response's VersionId, else the ClientRequestToken that became it. */
function toNewVersion(detail: CloudTrailDetail): string | undefined {
  return textField(detail.responseElements, 'versionId') ?? textField(detail.requestParameters, 'clientRequestToken');
}

function decideUpdateSecretVersionStage(detail: CloudTrailDetail, detailType: string): Outcome {
  const stage = textField(detail.requestParameters, 'versionStage');
  if (stage === undefined) return { reason: `${detailType} without detail.requestParameters.versionStage` };
  const version = textField(detail.requestParameters, 'moveToVersionId');
  if (version === undefined) return only(none(`UpdateSecretVersionStage removed ${stage} without moving it`));
  return { effects: [stage === AWSCURRENT ? VALUE_CHANGED : labelMoved(stage)], version };
}

/** Prefers the ARN AWS generated over the id the caller typed (a name, a partial or a complete ARN). */
function toCloudTrailResource(detail: CloudTrailDetail, envelope: Envelope): SecretResource | undefined {
  const region = detail.awsRegion ?? envelope.region;
  const home = { partition: toPartition(region), region, account: detail.recipientAccountId ?? envelope.account };
  // Before February 2024 some operations reported `aRN`; another capture shows `ARN`.
  const responseArn = field(detail.responseElements, 'arn');
  const generated = typeof responseArn === 'string' && toSecretArn(responseArn) ? responseArn : undefined;
  return (
    toSecretResource(generated, home, true) ??
    toSecretResource(field(detail.additionalEventData, 'SecretId'), home, true) ??
    toSecretResource(field(detail.requestParameters, 'secretId'), home, false)
  );
}

/** A secret's ARN as events carry it: the shared grammar, with nothing after the id (no `:json-key:stage`). */
function toSecretArn(value: string): SecretArnParts | undefined {
  const arn = parseSecretArn(value);
  return arn && isSecretName(arn.rest) ? arn : undefined;
}

/**
 * A secret named by an ARN or by a bare name resolved in `home`. An ARN AWS `generated` is complete when it ends in
 * the 6-character suffix; one a caller typed may be partial. A bare name is exactly the secret's name.
 */
function toSecretResource(id: unknown, home: Home, generated: boolean): SecretResource | undefined {
  if (!isText(id)) return undefined;
  const arn = toSecretArn(id);
  if (arn) {
    const { rest: secretId, ...where } = arn;
    const complete = generated && toSecretNameGuess(secretId) !== undefined;
    return { kind: 'secret', ...where, secretId, complete };
  }
  if (id.includes(':')) return undefined;
  return { kind: 'secret', ...home, secretId: id, complete: false, bareName: true };
}

function toSsmResource(envelope: Envelope, name: string): Resource {
  return { kind: 'ssm', ...envelopeHome(envelope), name };
}

function envelopeHome(envelope: Envelope): Home {
  const first = envelope.resources[0];
  const arn = typeof first === 'string' ? ANY_ARN.exec(first) : null;
  return {
    partition: arn ? arn[1] : toPartition(envelope.region),
    region: envelope.region,
    account: envelope.account,
  };
}

function accept(envelope: Envelope, fields: ChangeFields, effects: readonly Effect[]): ParsedEvent {
  const ids = { eventId: envelope.id, replayName: envelope['replay-name'] };
  return { ok: true, changes: effects.map((effect) => dropUndefined<Change>({ ...fields, effect, ...ids })) };
}

function only(effect: Effect): Outcome {
  return { effects: [effect] };
}

function reject(reason: string): ParsedEvent {
  return { ok: false, reason };
}

function none(why: string): Effect {
  return { kind: 'none', why };
}

function labelMoved(label: string): Effect {
  return { kind: 'label-moved', label };
}

/** `<kind> without <field>` for an absent field, `<kind> with an invalid <field>` for one of the wrong type. */
function toFieldReason(detailType: string, input: unknown, issues: z.ZodError['issues'], prefix: string): string {
  const { path } = issues[0];
  const value = path.reduce<unknown>((at, key) => (isRecord(at) ? at[key as string] : undefined), input);
  const name = `${prefix}${path.map(String).join('.')}`;
  const absent = value === undefined || value === null || value === '';
  return `${oneLine(detailType)} ${absent ? 'without' : 'with an invalid'} ${name}`;
}

function toEpochMs(time: string | undefined): number | undefined {
  if (time === undefined || !isoTime.safeParse(time).success) return undefined;
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? ms : undefined;
}

/** An own key matched case-insensitively: CloudTrail spells the same field `arn`, `aRN` or `ARN`. */
function field(container: unknown, key: string): unknown {
  if (!isRecord(container)) return undefined;
  if (Object.hasOwn(container, key)) return container[key];
  const wanted = key.toLowerCase();
  const match = Object.keys(container).find((candidate) => candidate.toLowerCase() === wanted);
  return match === undefined ? undefined : container[match];
}

function hasField(container: unknown, key: string): boolean {
  const value = field(container, key);
  return value !== undefined && value !== null;
}

function textField(container: unknown, key: string): string | undefined {
  const value = field(container, key);
  return isText(value) ? value : undefined;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_QUOTED = 100;

/** Untrusted text quoted in a reason or kind: one line, bounded length. */
function oneLine(value: string): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return line.length > MAX_QUOTED ? `${line.slice(0, MAX_QUOTED)}…` : line;
}
