/**
 * EventBridge change events (SSM Parameter Store, Secrets Manager native and CloudTrail) → `Change`, or a
 * rejection with a one-line reason. Shapes and sources: ../shared/reference/aws-semantics.md §1–2.
 */

import { z } from 'zod';
import { dropUndefined } from './objects';
import { type Resource, toPartition } from './reference';

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

/** Result of parsing one event. */
export type ParsedChange =
  | { readonly ok: true; readonly change: Change }
  | { readonly ok: false; readonly reason: string };

type SecretResource = Extract<Resource, { kind: 'secret' }>;
type Home = { readonly partition: string; readonly region: string; readonly account: string };
type Outcome = { readonly effect: Effect; readonly version?: string } | { readonly reason: string };

const NOT_HANDLED = 'not a change event rotation-reactor handles';
const BAD_TIME = 'time is not an ISO-8601 timestamp';
const AWSCURRENT = 'AWSCURRENT';
const SECRET_ARN = /^arn:([a-z-]+):secretsmanager:([a-z0-9-]+):(\d{12}):secret:([A-Za-z0-9/_+=.@-]+)$/;
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

/** Parses one EventBridge event (already JSON-decoded); never throws. */
export function parseChange(event: unknown): ParsedChange {
  try {
    return parseEvent(event);
  } catch {
    // JSON input never gets here; a hostile object (throwing getter, revoked proxy) still becomes a rejection.
    return reject('not an EventBridge event: the object could not be read');
  }
}

function parseEvent(event: unknown): ParsedChange {
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

const PARSERS: ReadonlyMap<string, (envelope: Envelope, detailType: string) => ParsedChange> = new Map([
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

function parseParameterStoreChange(envelope: Envelope): ParsedChange {
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
    return accept(envelope, { ...base, kind, effect: { kind: 'label-moved', label }, version });
  }
  const effect = SSM_OPERATIONS.get(operation) ?? none(`operation ${oneLine(operation)} does not change a value`);
  return accept(envelope, { ...base, kind, effect });
}

const POLICY_TYPES: ReadonlyMap<string, Effect> = new Map<string, Effect>([
  ['Expiration', { kind: 'deleted' }],
  ['ExpirationNotification', none('ExpirationNotification only warns that the parameter will expire')],
  ['NoChangeNotification', none('NoChangeNotification only reports that the value has not changed')],
]);

function parsePolicyAction(envelope: Envelope): ParsedChange {
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
  return accept(envelope, {
    service: 'ssm',
    kind: `${detailType}/${oneLine(policyType)}`,
    resource: toSsmResource(envelope, name),
    effect,
    changedAt,
  });
}

function parseSecretLabelUpdated(envelope: Envelope): ParsedChange {
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
  const effect: Effect = labelUpdated === AWSCURRENT ? { kind: 'value-changed' } : labelMoved(labelUpdated);
  return accept(envelope, {
    service: 'secretsmanager',
    kind: `${detailType}/${oneLine(labelUpdated)}`,
    resource,
    effect,
    changedAt,
    version: versionId,
  });
}

const CLOUDTRAIL_EVENTS: ReadonlyMap<string, (detail: CloudTrailDetail, detailType: string) => Outcome> = new Map([
  ['PutSecretValue', decidePutSecretValue],
  ['UpdateSecret', decideUpdateSecret],
  ['UpdateSecretVersionStage', decideUpdateSecretVersionStage],
  ['RotationSucceeded', () => ({ effect: { kind: 'value-changed' } })],
  ['DeleteSecret', () => ({ effect: { kind: 'deleted' } })],
  ['RotateSecret', () => ({ effect: none('RotateSecret only starts rotation; AWSCURRENT moves when it succeeds') })],
  ['RotationStarted', () => ({ effect: none('rotation started; AWSCURRENT moves when it succeeds') })],
  ['RotationFailed', () => ({ effect: none('rotation failed; AWSCURRENT did not move') })],
  [
    'RotationAbandoned',
    () => ({ effect: none('rotation abandoned; the version written meanwhile is reported by its own event') }),
  ],
  ['RestoreSecret', () => ({ effect: none('RestoreSecret makes the unchanged value readable again') })],
]);

function parseCloudTrail(envelope: Envelope, detailType: string): ParsedChange {
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
    ? { effect: none(`the API call failed: ${oneLine(String(detail.errorCode))}`) }
    : decide(detail, detailType);
  if ('reason' in outcome) return reject(outcome.reason);
  return accept(envelope, {
    service: 'secretsmanager',
    kind: `${detailType}/${detail.eventName}`,
    resource,
    changedAt,
    cloudTrailEventId: detail.eventID,
    ...outcome,
  });
}

function decidePutSecretValue(detail: CloudTrailDetail): Outcome {
  const version = textField(detail.responseElements, 'versionId');
  const stages = field(detail.requestParameters, 'versionStages');
  // Without VersionStages, Secrets Manager moves AWSCURRENT to the new version (aws-semantics §2.3).
  if (stages === undefined || stages === null) return { effect: { kind: 'value-changed' }, version };
  const labels = (Array.isArray(stages) ? stages : [stages]).filter(isText);
  if (labels.includes(AWSCURRENT)) return { effect: { kind: 'value-changed' }, version };
  // One event yields one effect: with several custom labels only the first is reported, so a reference pinned
  // to another of them is missed (the native `Secret Label Updated` event reports each label separately).
  if (labels.length === 0) return { effect: none('PutSecretValue attached no staging label to the new version') };
  return { effect: labelMoved(labels[0]), version };
}

function decideUpdateSecret(detail: CloudTrailDetail): Outcome {
  const version = textField(detail.responseElements, 'versionId');
  if (version === undefined) return { effect: none('UpdateSecret changed metadata only (no new secret version)') };
  return { effect: { kind: 'value-changed' }, version };
}

function decideUpdateSecretVersionStage(detail: CloudTrailDetail, detailType: string): Outcome {
  const stage = textField(detail.requestParameters, 'versionStage');
  if (stage === undefined) return { reason: `${detailType} without detail.requestParameters.versionStage` };
  const version = textField(detail.requestParameters, 'moveToVersionId');
  if (version === undefined) return { effect: none(`UpdateSecretVersionStage removed ${stage} without moving it`) };
  return { effect: stage === AWSCURRENT ? { kind: 'value-changed' } : labelMoved(stage), version };
}

/** Prefers the ARN AWS generated over the id the caller typed (a name, a partial or a complete ARN). */
function toCloudTrailResource(detail: CloudTrailDetail, envelope: Envelope): SecretResource | undefined {
  const region = detail.awsRegion ?? envelope.region;
  const home = { partition: toPartition(region), region, account: detail.recipientAccountId ?? envelope.account };
  // Before February 2024 some operations reported `aRN`; another capture shows `ARN`.
  const responseArn = field(detail.responseElements, 'arn');
  const generated = typeof responseArn === 'string' && SECRET_ARN.test(responseArn) ? responseArn : undefined;
  return (
    toSecretResource(generated, home, true) ??
    toSecretResource(field(detail.additionalEventData, 'SecretId'), home, true) ??
    toSecretResource(field(detail.requestParameters, 'secretId'), home, false)
  );
}

/** A secret named by an ARN (complete when `completeIfArn`) or by a bare name resolved in `home`. */
function toSecretResource(id: unknown, home: Home, completeIfArn: boolean): SecretResource | undefined {
  if (!isText(id)) return undefined;
  const arn = SECRET_ARN.exec(id);
  if (arn) {
    const [, partition, region, account, secretId] = arn;
    return { kind: 'secret', partition, region, account, secretId, complete: completeIfArn };
  }
  if (id.includes(':')) return undefined;
  return { kind: 'secret', ...home, secretId: id, complete: false };
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

function accept(envelope: Envelope, fields: Omit<Change, 'eventId' | 'replayName'>): ParsedChange {
  const change: Change = { ...fields, eventId: envelope.id, replayName: envelope['replay-name'] };
  return { ok: true, change: dropUndefined(change) };
}

function reject(reason: string): ParsedChange {
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
