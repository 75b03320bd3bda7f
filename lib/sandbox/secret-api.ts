/**
 * Secrets Manager (JSON 1.1, `secretsmanager.*`): `DescribeSecret` and `ListSecretVersionIds` as the sweep reads them;
 * `CreateSecret`, `PutSecretValue`, `UpdateSecretVersionStage` and `DeleteSecret` to seed and change metadata (the
 * value sent is checked, never kept). `GetSecretValue` and `BatchGetSecretValue` are refused.
 */
import { ApiError, validationError } from './api-error';
import {
  addSecret,
  type MetadataState,
  moveStage,
  removeSecret,
  type SecretRecord,
  toNewSecretArn,
  toNewVersionId,
} from './metadata-state';
import { parseNextToken, toNextToken } from './pagination';
import {
  type Body,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalString,
  optionalStringList,
  requiredString,
  toBody,
} from './request-body';
import { refuseValueRead } from './value-refusal';

/** The Secrets Manager operations the sandbox serves. */
export type SecretOperation =
  | 'DescribeSecret'
  | 'ListSecretVersionIds'
  | 'CreateSecret'
  | 'PutSecretValue'
  | 'UpdateSecretVersionStage'
  | 'DeleteSecret';

/** Operations that return a value: answered with AccessDeniedException, as the reactor's role would be. */
export const SECRET_VALUE_OPERATIONS: ReadonlySet<string> = new Set(['GetSecretValue', 'BatchGetSecretValue']);

type Handler = (state: MetadataState, body: Body) => Record<string, unknown>;

const DAY_MS = 86_400_000;
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** Runs one Secrets Manager operation, or refuses one that would return a value. */
export function runSecretOperation(state: MetadataState, operation: string, body: Body): Record<string, unknown> {
  if (SECRET_VALUE_OPERATIONS.has(operation)) refuseValueRead('secretsmanager', operation);
  const handler = secretHandlers[operation as SecretOperation];
  if (handler === undefined) {
    throw new ApiError(
      'UnknownOperationException',
      400,
      `secretsmanager.${operation} is not served; the sandbox serves ${Object.keys(secretHandlers).join(', ')}`,
    );
  }
  return handler(state, body);
}

/** `DescribeSecret`: dates, the staged versions and the deletion date, by name or by complete or partial ARN. */
function describeSecret(state: MetadataState, body: Body): Record<string, unknown> {
  const secret = findSecret(state, requiredString(body, 'SecretId'));
  const staged = secret.versions.filter((v) => v.stages.length > 0);
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description === undefined ? {} : { Description: secret.description }),
    ...(secret.lastRotatedDate === undefined ? {} : { LastRotatedDate: toSeconds(secret.lastRotatedDate) }),
    LastChangedDate: toSeconds(secret.lastChangedDate),
    ...(secret.deletedDate === undefined ? {} : { DeletedDate: toSeconds(secret.deletedDate) }),
    ...(secret.tags === undefined ? {} : { Tags: secret.tags }),
    // Versions without a stage are deprecated: DescribeSecret lists only the staged ones.
    ...(staged.length === 0
      ? {}
      : { VersionIdsToStages: Object.fromEntries(staged.map((v) => [v.versionId, [...v.stages]])) }),
    CreatedDate: toSeconds(secret.createdDate),
  };
}

/** `ListSecretVersionIds`: the versions (staged ones, or all with IncludeDeprecated) in creation order, paginated. */
function listSecretVersionIds(state: MetadataState, body: Body): Record<string, unknown> {
  const secret = findSecret(state, requiredString(body, 'SecretId'));
  const limit = optionalInteger(body, 'MaxResults', 1, 100) ?? 100;
  const all = optionalBoolean(body, 'IncludeDeprecated') === true;
  const versions = secret.versions.filter((v) => all || v.stages.length > 0);
  let position: number;
  try {
    position = parseNextToken('ListSecretVersionIds', optionalString(body, 'NextToken'));
  } catch {
    throw new ApiError('InvalidNextTokenException', 400, 'The NextToken value is invalid.');
  }
  const page = versions.slice(position, position + limit).map((v) => ({
    VersionId: v.versionId,
    VersionStages: [...v.stages],
    // No LastAccessedDate: the sandbox never serves a value, so no version was ever accessed.
    CreatedDate: toSeconds(v.createdDate),
    KmsKeyIds: ['DefaultEncryptionKey'],
  }));
  const next = position + limit < versions.length ? toNextToken('ListSecretVersionIds', position + limit) : undefined;
  return { Versions: page, ...(next ? { NextToken: next } : {}), ARN: secret.arn, Name: secret.name };
}

/** `CreateSecret`: a new secret; with a value sent, its first version, staged AWSCURRENT. */
function createSecret(state: MetadataState, body: Body): Record<string, unknown> {
  const name = requiredString(body, 'Name');
  if (!NAME.test(name)) {
    throw validationError(`Invalid name. Must be a valid name containing alphanumeric characters, or any of /_+=.@-`);
  }
  const existing = state.secrets.get(name);
  if (existing?.deletedDate !== undefined) {
    throw new ApiError(
      'InvalidRequestException',
      400,
      `You can't create this secret because a secret with this name is already scheduled for deletion.`,
    );
  }
  if (existing)
    throw new ApiError('ResourceExistsException', 400, 'The operation failed because the secret already exists.');
  const hasValue = checkValue(body, false);
  const now = state.clock.now();
  const versionId = optionalString(body, 'ClientRequestToken') ?? toNewVersionId();
  const tags = optionalArray(body, 'Tags')?.map((item, i) => {
    const tag = toBody(item, `'Tags[${i}]'`);
    return { Key: requiredString(tag, 'Key'), Value: optionalString(tag, 'Value') ?? '' };
  });
  const secret: SecretRecord = {
    name,
    arn: toNewSecretArn(state.scope, name),
    createdDate: now,
    lastChangedDate: now,
    versions: hasValue ? [{ versionId, createdDate: now, stages: ['AWSCURRENT'] }] : [],
    ...(optionalString(body, 'Description') === undefined ? {} : { description: optionalString(body, 'Description') }),
    ...(tags === undefined ? {} : { tags }),
  };
  addSecret(state, secret);
  return { ARN: secret.arn, Name: name, ...(hasValue ? { VersionId: versionId } : {}) };
}

/** `PutSecretValue`: a new version, given the stages asked (default AWSCURRENT, which leaves AWSPREVIOUS behind). */
function putSecretValue(state: MetadataState, body: Body): Record<string, unknown> {
  const secret = findLiveSecret(state, requiredString(body, 'SecretId'));
  checkValue(body, true);
  const stages = optionalStringList(body, 'VersionStages', 20) ?? ['AWSCURRENT'];
  const versionId = optionalString(body, 'ClientRequestToken') ?? toNewVersionId();
  // The same ClientRequestToken again is a retry of the same request: nothing changes (the value is not compared).
  const retried = secret.versions.find((v) => v.versionId === versionId);
  if (retried) return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: [...retried.stages] };
  const now = state.clock.now();
  secret.versions.push({ versionId, createdDate: now, stages: [] });
  for (const stage of stages) moveStage(secret, stage, versionId);
  secret.lastChangedDate = now;
  return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: stages };
}

/** `UpdateSecretVersionStage`: moves a stage to another version, or removes it; the stage's holder must be named. */
function updateSecretVersionStage(state: MetadataState, body: Body): Record<string, unknown> {
  const secret = findLiveSecret(state, requiredString(body, 'SecretId'));
  const stage = requiredString(body, 'VersionStage');
  const removeFrom = optionalString(body, 'RemoveFromVersionId');
  const moveTo = optionalString(body, 'MoveToVersionId');
  const holder = secret.versions.find((v) => v.stages.includes(stage));
  if (moveTo !== undefined && !secret.versions.some((v) => v.versionId === moveTo)) {
    throw new ApiError('InvalidParameterException', 400, `The version ${moveTo} doesn't exist.`);
  }
  if (holder && holder.versionId !== moveTo && holder.versionId !== removeFrom) {
    throw new ApiError(
      'InvalidParameterException',
      400,
      `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
  }
  if (moveTo !== undefined) moveStage(secret, stage, moveTo);
  else if (removeFrom !== undefined) {
    if (stage === 'AWSCURRENT') {
      throw new ApiError(
        'InvalidParameterException',
        400,
        'You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.',
      );
    }
    const version = secret.versions.find((v) => v.versionId === removeFrom);
    if (version) version.stages = version.stages.filter((s) => s !== stage);
  } else throw new ApiError('InvalidParameterException', 400, 'Give MoveToVersionId, RemoveFromVersionId or both.');
  secret.lastChangedDate = state.clock.now();
  return { ARN: secret.arn, Name: secret.name };
}

/** `DeleteSecret`: schedules the deletion (7–30 days' recovery window), or deletes at once with ForceDeleteWithoutRecovery. */
function deleteSecret(state: MetadataState, body: Body): Record<string, unknown> {
  const secret = findLiveSecret(state, requiredString(body, 'SecretId'));
  const window = optionalInteger(body, 'RecoveryWindowInDays', 7, 30);
  const force = optionalBoolean(body, 'ForceDeleteWithoutRecovery') === true;
  if (force && window !== undefined) {
    throw new ApiError(
      'InvalidParameterException',
      400,
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  }
  const now = state.clock.now();
  const deletionDate = force ? now : now + (window ?? 30) * DAY_MS;
  if (force) removeSecret(state, secret);
  else secret.deletedDate = deletionDate;
  return { ARN: secret.arn, Name: secret.name, DeletionDate: toSeconds(deletionDate) };
}

const secretHandlers: Readonly<Record<SecretOperation, Handler>> = {
  DescribeSecret: describeSecret,
  ListSecretVersionIds: listSecretVersionIds,
  CreateSecret: createSecret,
  PutSecretValue: putSecretValue,
  UpdateSecretVersionStage: updateSecretVersionStage,
  DeleteSecret: deleteSecret,
};

/** A secret by name, complete ARN, or partial ARN (`…:secret:NAME`, without the 6-character suffix). */
function findSecret(state: MetadataState, secretId: string): SecretRecord {
  const { partition, region, account } = state.scope;
  const prefix = `arn:${partition}:secretsmanager:${region}:${account}:secret:`;
  const found =
    state.secretsByArn.get(secretId) ??
    (secretId.startsWith(prefix)
      ? state.secrets.get(secretId.slice(prefix.length))
      : secretId.startsWith('arn:')
        ? undefined
        : state.secrets.get(secretId));
  if (found === undefined) {
    throw new ApiError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret.");
  }
  return found;
}

function findLiveSecret(state: MetadataState, secretId: string): SecretRecord {
  const secret = findSecret(state, secretId);
  if (secret.deletedDate !== undefined) {
    throw new ApiError(
      'InvalidRequestException',
      400,
      "You can't perform this operation on the secret because it was marked for deletion.",
    );
  }
  return secret;
}

/** Checks that at most one of SecretString / SecretBinary is sent (one is required when `required`); keeps neither. */
function checkValue(body: Body, required: boolean): boolean {
  const sent = ['SecretString', 'SecretBinary'].filter((field) => body[field] !== undefined && body[field] !== null);
  if (sent.length > 1) {
    throw new ApiError(
      'InvalidParameterException',
      400,
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (required && sent.length === 0) {
    throw new ApiError('InvalidRequestException', 400, 'You must provide either SecretString or SecretBinary.');
  }
  if (sent[0] === 'SecretString') optionalString(body, 'SecretString');
  return sent.length === 1;
}

function toSeconds(epochMs: number): number {
  return epochMs / 1000;
}
