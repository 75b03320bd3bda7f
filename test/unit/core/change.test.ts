import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { type Effect, type ParsedEvent, parseChange } from '../../../lib/core/change';
import { readsWhatMoved } from '../../../lib/core/match';
import { parseReference, type Resource, type SecretReference, toPartition } from '../../../lib/core/reference';

type Json = Record<string, unknown>;

const EVENTS = join(__dirname, '../../../events');
const SAMPLE_DIRS = ['ssm', 'secretsmanager', 'malformed'];
const REGION = 'us-east-2';
const ACCOUNT = '123456789012';
const TIME = '2026-11-28T12:00:00Z';
const DB_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-AbCdEf`;
const NOT_HANDLED = 'not a change event rotation-reactor handles';

const sampleFiles = SAMPLE_DIRS.flatMap((dir) =>
  readdirSync(join(EVENTS, dir))
    .filter((file) => file.endsWith('.json'))
    .map((file) => `${dir}/${file}`),
).sort();
const loadSample = (file: string): unknown => JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));

const ssm = (name: string, overrides: Partial<Resource> = {}): Resource =>
  ({ kind: 'ssm', partition: 'aws', region: REGION, account: ACCOUNT, name, ...overrides }) as Resource;
const secret = (secretId: string, complete: boolean, overrides: Partial<Resource> = {}): Resource =>
  ({
    kind: 'secret',
    partition: 'aws',
    region: REGION,
    account: ACCOUNT,
    secretId,
    complete,
    ...overrides,
  }) as Resource;
/** A secret an event names by its bare name only. */
const named = (secretId: string, overrides: Partial<Resource> = {}): Resource =>
  ({ ...secret(secretId, false, overrides), bareName: true }) as Resource;
const pinnedTo = (stage: string) =>
  parseReference(`${DB_ARN}::${stage}:`, { partition: 'aws', region: REGION, account: ACCOUNT }) as SecretReference;
const valueChanged: Effect = { kind: 'value-changed' };
const deleted: Effect = { kind: 'deleted' };
const labelMoved = (label: string): Effect => ({ kind: 'label-moved', label });
const none = (whyContains: string) => ({ kind: 'none', why: expect.stringContaining(whyContains) });

const anEnvelope = (source: string, detailType: string, detail: unknown, overrides: Json = {}): Json => ({
  version: '0',
  id: '0d5c3f0a-7c43-4b8e-9a0f-3a1e2b4c5d6e',
  'detail-type': detailType,
  source,
  account: ACCOUNT,
  time: TIME,
  region: REGION,
  resources: [],
  detail,
  ...overrides,
});

const aParameterStoreChange = (detail: Json = {}, envelope: Json = {}) =>
  anEnvelope(
    'aws.ssm',
    'Parameter Store Change',
    { operation: 'Update', name: '/prod/db/password', type: 'SecureString', ...detail },
    { resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/prod/db/password`], ...envelope },
  );

const aPolicyAction = (detail: Json = {}, envelope: Json = {}) =>
  anEnvelope(
    'aws.ssm',
    'Parameter Store Policy Action',
    { 'parameter-name': '/prod/db/password', 'policy-type': 'Expiration', ...detail },
    envelope,
  );

const aSecretLabelUpdated = (detail: Json = {}, envelope: Json = {}) =>
  anEnvelope(
    'aws.secretsmanager',
    'Secret Label Updated',
    { name: 'prod/db', labelUpdated: 'AWSCURRENT', versionId: 'v-2', ...detail },
    { resources: [DB_ARN], ...envelope },
  );

const anApiCall = (detail: Json = {}, envelope: Json = {}) =>
  anEnvelope(
    'aws.secretsmanager',
    'AWS API Call via CloudTrail',
    {
      eventTime: TIME,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'PutSecretValue',
      awsRegion: REGION,
      requestParameters: { secretId: 'prod/db' },
      responseElements: { arn: DB_ARN },
      eventID: 'ct-1',
      eventType: 'AwsApiCall',
      recipientAccountId: ACCOUNT,
      ...detail,
    },
    envelope,
  );

const aServiceEvent = (detail: Json = {}, envelope: Json = {}) =>
  anEnvelope(
    'aws.secretsmanager',
    'AWS Service Event via CloudTrail',
    {
      eventTime: TIME,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'RotationSucceeded',
      awsRegion: REGION,
      requestParameters: null,
      responseElements: null,
      additionalEventData: { SecretId: DB_ARN },
      eventID: 'ct-2',
      eventType: 'AwsServiceEvent',
      recipientAccountId: ACCOUNT,
      ...detail,
    },
    envelope,
  );

const changesOf = (parsed: ParsedEvent) => {
  if (!parsed.ok) throw new Error(`expected changes, got a rejection: ${parsed.reason}`);
  return parsed.changes;
};
const changeOf = (parsed: ParsedEvent) => {
  const changes = changesOf(parsed);
  expect(changes).toHaveLength(1);
  return changes[0];
};

type ExpectedChange = { readonly effect: unknown; readonly version?: string };
type Expected =
  | { readonly kind: string; readonly resource: Resource; readonly changes: readonly ExpectedChange[] }
  | { readonly reason: string };
/** Where a sample comes from: a published event (verbatim unless said), or what it was derived from. */
type Sourced = Expected & { readonly source: string };

// Published samples, cited as repository + path @ commit (or URL):
const SM_GUIDE_MONITORING =
  'awsdocs/aws-secrets-manager-docs doc_source/monitoring.md @2d398a5d129306bd6c90c4cf5b2f2d518c023798 ("sample DeleteSecret call")';
const SM_GUIDE_ROTATION_FAILED =
  'awsdocs/aws-secrets-manager-docs doc_source/retrieve-ct-entries.md @6b87a45c6d5bacda205b156c8c94aff0980fe90e ("Example log entry", RotationFailed)';
const SM_GUIDE_LABEL_UPDATED =
  'https://docs.aws.amazon.com/secretsmanager/latest/userguide/event-detail-secret-label-updated-secretsmanager.html (example)';
const RELOADER_PUT_SECRET_VALUE =
  'external-secrets/reloader docs/sources/aws-sqs.md @15ed3a817a7bb7c34cbf30cab58a075c7b52cfeb ("Default AWS SQS Message Schema"; its trimmed detail lacks eventSource, added back)';
const POSTMAN_PUT_SECRET_VALUE =
  'opengovsg/postmangovsg serverless/eb-env-update/README.md @3e63210f81c21da0f658800a4d16bd3960187c24 ("Sample cloudtrail event")';
const SSM_GUIDE_EXAMPLES =
  'awsdocs/aws-systems-manager-user-guide doc_source/monitoring-systems-manager-event-examples.md (Parameter Store Change)';

const one = (effect: unknown, version?: string): readonly ExpectedChange[] => [
  version === undefined ? { effect } : { effect, version },
];

const SAMPLES: Record<string, Sourced> = {
  'ssm/parameter-store-change.create.json': {
    source: `${SSM_GUIDE_EXAMPLES}, time moved to the sample day`,
    kind: 'Parameter Store Change/Create',
    resource: ssm('MyExampleParameter'),
    changes: one(valueChanged),
  },
  'ssm/parameter-store-change.update.json': {
    source: `constructed after ${SSM_GUIDE_EXAMPLES} (Update of a SecureString)`,
    kind: 'Parameter Store Change/Update',
    resource: ssm('/prod/db/password'),
    changes: one(valueChanged),
  },
  'ssm/parameter-store-change.hierarchical.json': {
    source: `constructed after ${SSM_GUIDE_EXAMPLES} (hierarchical name, no description)`,
    kind: 'Parameter Store Change/Update',
    resource: ssm('/prod/db/password'),
    changes: one(valueChanged),
  },
  'ssm/parameter-store-change.delete.json': {
    source: `${SSM_GUIDE_EXAMPLES}, time moved to the sample day`,
    kind: 'Parameter Store Change/Delete',
    resource: ssm('MyExampleParameter'),
    changes: one(deleted),
  },
  'ssm/parameter-store-change.label.json': {
    source: 'constructed: fields label/fromVersion/toVersion as typed by the schema-registry copy in aws/aws-sam-cli',
    kind: 'Parameter Store Change/LabelParameterVersion',
    resource: ssm('/prod/api/key'),
    changes: one(labelMoved('prod'), '4'),
  },
  'ssm/parameter-store-policy-action.expiration.json': {
    source: 'constructed after captures in public repositories (aws-semantics.md, addendum)',
    kind: 'Parameter Store Policy Action/Expiration',
    resource: ssm('/prod/batch/session-token'),
    changes: one(deleted),
  },
  'ssm/parameter-store-policy-action.expiration-notification.json': {
    source: 'constructed after captures in public repositories (aws-semantics.md, addendum)',
    kind: 'Parameter Store Policy Action/ExpirationNotification',
    resource: ssm('/prod/db/password'),
    changes: one(none('ExpirationNotification')),
  },
  'ssm/parameter-store-policy-action.no-change-notification.json': {
    source: 'constructed after captures in public repositories (aws-semantics.md, addendum)',
    kind: 'Parameter Store Policy Action/NoChangeNotification',
    resource: ssm('/prod/db/password'),
    changes: one(none('NoChangeNotification')),
  },
  'secretsmanager/secret-label-updated.aws-docs.json': {
    source: SM_GUIDE_LABEL_UPDATED,
    kind: 'Secret Label Updated/AWSCURRENT',
    resource: secret('mySecret-a1b2c3', true, { region: 'us-west-2', account: '012345678901' }),
    changes: one(valueChanged, 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'),
  },
  'secretsmanager/secret-label-updated.awscurrent.json': {
    source: `${SM_GUIDE_LABEL_UPDATED}, moved to the sample fleet's secret, account and region`,
    kind: 'Secret Label Updated/AWSCURRENT',
    resource: secret('prod/db-AbCdEf', true),
    changes: one(valueChanged, 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'),
  },
  'secretsmanager/secret-label-updated.custom-label.json': {
    source: `${SM_GUIDE_LABEL_UPDATED}, with the custom label BLUE`,
    kind: 'Secret Label Updated/BLUE',
    resource: secret('prod/api-token-Gh12Ij', true),
    changes: one(labelMoved('BLUE'), 'b2c3d4e5-6789-01bc-def0-EXAMPLE22222'),
  },
  'secretsmanager/cloudtrail.put-secret-value-reloader.json': {
    source: RELOADER_PUT_SECRET_VALUE,
    kind: 'AWS API Call via CloudTrail/PutSecretValue',
    resource: secret('prod/test-secret-123456', true, { region: 'eu-west-1' }),
    // responseElements carries only the ARN: the new version's id is the ClientRequestToken.
    changes: one(valueChanged, '4d383ea9-084a-49c9-8722-cbfb0f25c456'),
  },
  'secretsmanager/cloudtrail.put-secret-value-no-response.json': {
    source: `${POSTMAN_PUT_SECRET_VALUE}; placeholders <REGION>, <ACCOUNT_ID>, <SECRET_NAME>-<RANDOM_CHARACTERS> filled in`,
    kind: 'AWS API Call via CloudTrail/PutSecretValue',
    // responseElements is null: only the ARN the caller typed names the secret (it may be partial).
    resource: secret('eb-env-staging-Xy12Zw', false, { region: 'ap-southeast-1' }),
    changes: one(valueChanged, 'abc'),
  },
  'secretsmanager/cloudtrail.put-secret-value-stages.json': {
    source: `${RELOADER_PUT_SECRET_VALUE}, with requestParameters.versionStages [AWSCURRENT, blue] (PutSecretValue VersionStages)`,
    kind: 'AWS API Call via CloudTrail/PutSecretValue',
    resource: secret('prod/test-secret-123456', true, { region: 'eu-west-1' }),
    changes: [
      { effect: valueChanged, version: '0b6f9c2e-51d4-4a8e-9f3b-7c2d1e0a9b8c' },
      { effect: labelMoved('blue'), version: '0b6f9c2e-51d4-4a8e-9f3b-7c2d1e0a9b8c' },
    ],
  },
  'secretsmanager/cloudtrail.put-secret-value.json': {
    source: `${RELOADER_PUT_SECRET_VALUE}, moved to the sample fleet's secret and region, secretId given as a name`,
    kind: 'AWS API Call via CloudTrail/PutSecretValue',
    resource: secret('prod/db-AbCdEf', true),
    changes: one(valueChanged, '4d383ea9-084a-49c9-8722-cbfb0f25c456'),
  },
  'secretsmanager/cloudtrail.put-secret-value-staged.json': {
    source: `${RELOADER_PUT_SECRET_VALUE}, with versionStages [BLUE] and a response carrying ARN, name and versionId`,
    kind: 'AWS API Call via CloudTrail/PutSecretValue',
    resource: secret('prod/api-token-Gh12Ij', true),
    changes: one(labelMoved('BLUE'), '5e494fb0-195b-4a5a-9833-dcbf1a36d567'),
  },
  'secretsmanager/cloudtrail.update-secret.json': {
    source: `${RELOADER_PUT_SECRET_VALUE} as UpdateSecret, with a response carrying a versionId (no published record has one)`,
    kind: 'AWS API Call via CloudTrail/UpdateSecret',
    resource: secret('prod/db-AbCdEf', true),
    changes: one(valueChanged, '6f5a50c1-2a6c-4b6b-9944-ecd02b47e678'),
  },
  'secretsmanager/cloudtrail.update-secret-token.json': {
    source: `${RELOADER_PUT_SECRET_VALUE} as UpdateSecret: like the published PutSecretValue records, {arn} only in the response`,
    kind: 'AWS API Call via CloudTrail/UpdateSecret',
    resource: secret('prod/test-secret-123456', true, { region: 'eu-west-1' }),
    changes: one(valueChanged, '1c7e0d3f-62e5-4b9f-8a4c-8d3e2f1b0c9d'),
  },
  'secretsmanager/cloudtrail.update-secret-metadata.json': {
    source: `${RELOADER_PUT_SECRET_VALUE} as UpdateSecret of the description only, without clientRequestToken`,
    kind: 'AWS API Call via CloudTrail/UpdateSecret',
    resource: secret('prod/db-AbCdEf', true),
    changes: one(none('metadata only')),
  },
  'secretsmanager/cloudtrail.update-secret-version-stage.json': {
    source: `${RELOADER_PUT_SECRET_VALUE} as UpdateSecretVersionStage (parameters named after the API, camelCase)`,
    kind: 'AWS API Call via CloudTrail/UpdateSecretVersionStage',
    resource: secret('prod/db-AbCdEf', true),
    changes: one(valueChanged, '7a6b61d2-3b7d-4c7c-8a55-fde13c58f789'),
  },
  'secretsmanager/cloudtrail.rotation-succeeded.json': {
    source: `${SM_GUIDE_ROTATION_FAILED} as RotationSucceeded (no errorMessage), moved to the sample fleet's secret`,
    kind: 'AWS Service Event via CloudTrail/RotationSucceeded',
    resource: secret('prod/db-AbCdEf', true),
    changes: one(valueChanged),
  },
  'secretsmanager/cloudtrail.rotation-failed.json': {
    source: `${SM_GUIDE_ROTATION_FAILED}, moved to the sample fleet's secret`,
    kind: 'AWS Service Event via CloudTrail/RotationFailed',
    resource: secret('prod/db-AbCdEf', true),
    changes: one(none('rotation failed')),
  },
  'secretsmanager/cloudtrail.rotate-secret.json': {
    source: `${RELOADER_PUT_SECRET_VALUE} as RotateSecret`,
    kind: 'AWS API Call via CloudTrail/RotateSecret',
    resource: secret('prod/db-AbCdEf', true),
    changes: one(none('RotateSecret')),
  },
  'secretsmanager/cloudtrail.delete-secret-by-name.json': {
    source: `${SM_GUIDE_MONITORING}, in an EventBridge envelope (aws-semantics §2.1)`,
    kind: 'AWS API Call via CloudTrail/DeleteSecret',
    // secretId is a bare name; the response's aRN names the secret exactly.
    resource: secret('MyDatabaseSecret-a1b2c3', true),
    changes: one(deleted),
  },
  'secretsmanager/cloudtrail.delete-secret.json': {
    source: `${SM_GUIDE_MONITORING}, moved to the sample fleet's secret, response key spelled arn (after February 2024)`,
    kind: 'AWS API Call via CloudTrail/DeleteSecret',
    resource: secret('prod/legacy-Kl34Mn', true),
    changes: one(deleted),
  },
  'secretsmanager/cloudtrail.restore-secret.json': {
    source: `${SM_GUIDE_MONITORING} as RestoreSecret`,
    kind: 'AWS API Call via CloudTrail/RestoreSecret',
    resource: secret('prod/legacy-Kl34Mn', true),
    changes: one(none('RestoreSecret')),
  },
  'secretsmanager/cloudtrail.error.json': {
    source: `${POSTMAN_PUT_SECRET_VALUE} shape, with errorCode AccessDenied (CloudTrail record contents reference)`,
    kind: 'AWS API Call via CloudTrail/PutSecretValue',
    resource: named('prod/db'),
    changes: one({ kind: 'none', why: 'the API call failed: AccessDenied' }),
  },
  'secretsmanager/cloudtrail.aRN.json': {
    source: `${SM_GUIDE_MONITORING} response spelling aRN, on a PutSecretValue`,
    kind: 'AWS API Call via CloudTrail/PutSecretValue',
    resource: secret('prod/db-AbCdEf', true),
    changes: one(valueChanged, '9c8d83f4-5d9f-4e9e-8c77-1f035e7a9b01'),
  },
  'malformed/not-json-object.json': {
    source: 'constructed',
    reason: 'not an EventBridge event: expected a JSON object',
  },
  'malformed/unknown-source.json': {
    source: 'constructed',
    reason: `${NOT_HANDLED}: com.example.orders / Parameter Store Change`,
  },
  'malformed/missing-detail-name.json': { source: 'constructed', reason: 'Parameter Store Change without detail.name' },
  'malformed/bad-time.json': { source: 'constructed', reason: 'time is not an ISO-8601 timestamp' },
  'malformed/ec2-event.json': {
    source: 'constructed',
    reason: `${NOT_HANDLED}: aws.ec2 / EC2 Instance State-change Notification`,
  },
};

describe('parseChange', () => {
  it('has a row for every sample event', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(sampleFiles);
  });

  it.each(Object.entries(SAMPLES))('parses %s', (file, { source, ...expected }) => {
    expect(source).not.toBe('');
    const event = loadSample(file);
    const parsed = parseChange(event);
    if ('reason' in expected) {
      expect(parsed).toEqual({ ok: false, reason: expected.reason });
      return;
    }
    const envelope = event as { id: string; detail: { eventTime?: string; eventID?: string }; time: string };
    const { kind, resource } = expected;
    const changes = changesOf(parsed);
    expect(changes).toEqual(
      expected.changes.map(({ effect, version }) => ({
        service: resource.kind === 'ssm' ? 'ssm' : 'secretsmanager',
        kind,
        resource,
        effect,
        ...(version === undefined ? {} : { version }),
        eventId: envelope.id,
        ...(envelope.detail.eventID === undefined ? {} : { cloudTrailEventId: envelope.detail.eventID }),
        changedAt: Date.parse(envelope.detail.eventTime ?? envelope.time),
      })),
    );
  });

  it.each<[string, Json, Partial<Resource>]>([
    [
      'an ARN in resources[0]',
      { resources: ['arn:aws-cn:ssm:cn-north-1:123456789012:parameter/a'] },
      { partition: 'aws-cn' },
    ],
    ['a China region', { resources: [], region: 'cn-north-1' }, { partition: 'aws-cn', region: 'cn-north-1' }],
    ['a GovCloud region', { resources: [], region: 'us-gov-west-1' }, { partition: 'aws-us-gov' }],
    ['a commercial region', { resources: [], region: 'eu-west-1' }, { partition: 'aws', region: 'eu-west-1' }],
  ])('takes the SSM partition from %s', (_, envelope, resource) => {
    expect(changeOf(parseChange(aParameterStoreChange({}, envelope))).resource).toMatchObject(resource);
  });

  it.each<[string, unknown, Json]>([
    [
      'keeps a label move and its toVersion',
      aParameterStoreChange({ operation: 'LabelParameterVersion', label: 'prod', toVersion: 4 }),
      { effect: labelMoved('prod'), version: '4' },
    ],
    [
      'reads a policy action named under the older `name` key',
      aPolicyAction({ 'parameter-name': undefined, name: 'OncallDuties' }),
      { resource: ssm('OncallDuties'), effect: deleted },
    ],
    [
      'reports an unknown SSM operation as no effect',
      aParameterStoreChange({ operation: 'UnlabelParameterVersion' }),
      { kind: 'Parameter Store Change/UnlabelParameterVersion', effect: none('UnlabelParameterVersion') },
    ],
    [
      'reports an unknown policy type as no effect',
      aPolicyAction({ 'policy-type': 'FuturePolicy' }),
      { effect: none('FuturePolicy') },
    ],
    [
      'falls back to detail.name when resources[0] is not a secret ARN',
      aSecretLabelUpdated({}, { resources: ['arn:aws:kms:us-east-2:123456789012:key/x'] }),
      { resource: named('prod/db') },
    ],
    [
      'takes a Secret Label Updated resource from its ARN',
      aSecretLabelUpdated({}, { resources: ['arn:aws:secretsmanager:eu-west-1:210987654321:secret:prod/db-ZyXwVu'] }),
      { resource: secret('prod/db-ZyXwVu', true, { region: 'eu-west-1', account: '210987654321' }) },
    ],
    [
      'keeps the replay name and the CloudTrail event id',
      anApiCall({}, { 'replay-name': 'recover-2026-11-28' }),
      { replayName: 'recover-2026-11-28', cloudTrailEventId: 'ct-1' },
    ],
    [
      'prefers the CloudTrail eventTime to the envelope time',
      anApiCall({ eventTime: '2026-11-28T11:59:00Z' }, { time: '2026-11-28T12:04:00Z' }),
      { changedAt: Date.parse('2026-11-28T11:59:00Z') },
    ],
    [
      'falls back to the envelope time when eventTime is not a timestamp',
      anApiCall({ eventTime: 'soon' }, { time: '2026-11-28T12:04:00Z' }),
      { changedAt: Date.parse('2026-11-28T12:04:00Z') },
    ],
  ])('%s', (_, event, expected) => {
    expect(changeOf(parseChange(event))).toMatchObject(expected);
  });

  it.each<[string, Json, Resource]>([
    ['responseElements.arn', { responseElements: { arn: DB_ARN } }, secret('prod/db-AbCdEf', true)],
    [
      'responseElements.aRN (before February 2024)',
      { responseElements: { aRN: DB_ARN } },
      secret('prod/db-AbCdEf', true),
    ],
    ['responseElements.ARN', { responseElements: { ARN: DB_ARN } }, secret('prod/db-AbCdEf', true)],
    [
      'additionalEventData.SecretId as an ARN',
      { responseElements: null, additionalEventData: { SecretId: DB_ARN } },
      secret('prod/db-AbCdEf', true),
    ],
    [
      'additionalEventData.SecretId as a name',
      { responseElements: null, additionalEventData: { SecretId: 'prod/db' } },
      named('prod/db'),
    ],
    [
      'requestParameters.secretId as a name, in the record region and account',
      { responseElements: null, awsRegion: 'eu-west-1', recipientAccountId: '210987654321' },
      named('prod/db', { region: 'eu-west-1', account: '210987654321' }),
    ],
    [
      'requestParameters.secretId as a name, in the envelope region and account',
      { responseElements: null, awsRegion: undefined, recipientAccountId: undefined },
      named('prod/db'),
    ],
    [
      'requestParameters.secretId as a partial ARN',
      {
        responseElements: null,
        requestParameters: { secretId: 'arn:aws-cn:secretsmanager:cn-north-1:210987654321:secret:prod/db' },
      },
      secret('prod/db', false, { partition: 'aws-cn', region: 'cn-north-1', account: '210987654321' }),
    ],
    [
      'requestParameters.secretId as a complete ARN (still as typed)',
      { responseElements: {}, requestParameters: { SecretId: DB_ARN } },
      secret('prod/db-AbCdEf', false),
    ],
    [
      'requestParameters when responseElements.arn is not a secret ARN',
      { responseElements: { arn: 'garbage' } },
      named('prod/db'),
    ],
    [
      'requestParameters.secretId as a bare name that ends like a suffix (still exactly that name)',
      { responseElements: null, requestParameters: { secretId: 'billing-prod01' } },
      named('billing-prod01'),
    ],
    [
      'responseElements.arn without the 6-character suffix (not a complete ARN)',
      { responseElements: { arn: 'arn:aws:secretsmanager:us-east-2:123456789012:secret:prod/db' } },
      secret('prod/db', false),
    ],
  ])('finds the CloudTrail secret in %s', (_, detail, resource) => {
    expect(changeOf(parseChange(anApiCall(detail))).resource).toEqual(resource);
  });

  it.each<[string, unknown, { effects: unknown[]; version?: string }]>([
    [
      'LabelParameterVersion without toVersion',
      aParameterStoreChange({ operation: 'LabelParameterVersion', label: 'prod' }),
      { effects: [labelMoved('prod')] },
    ],
    ['PutSecretValue without versionStages', anApiCall(), { effects: [valueChanged] }],
    [
      'PutSecretValue whose version is told only by its clientRequestToken',
      anApiCall({ requestParameters: { secretId: 'prod/db', clientRequestToken: 'v-5' } }),
      { effects: [valueChanged], version: 'v-5' },
    ],
    [
      'PutSecretValue staging AWSCURRENT and a custom stage (every listed stage moved)',
      anApiCall({
        requestParameters: { secretId: 'prod/db', versionStages: ['BLUE', 'AWSCURRENT'] },
        responseElements: { arn: DB_ARN, versionId: 'v-4' },
      }),
      { effects: [valueChanged, labelMoved('BLUE')], version: 'v-4' },
    ],
    [
      'PutSecretValue staging custom stages only',
      anApiCall({ requestParameters: { secretId: 'prod/db', versionStages: ['BLUE', 'GREEN'] } }),
      { effects: [labelMoved('BLUE'), labelMoved('GREEN')] },
    ],
    [
      'PutSecretValue naming a stage twice',
      anApiCall({ requestParameters: { secretId: 'prod/db', versionStages: ['BLUE', 'BLUE'] } }),
      { effects: [labelMoved('BLUE')] },
    ],
    [
      'PutSecretValue staging AWSCURRENT and AWSPREVIOUS (a value change already reaches AWSPREVIOUS pins)',
      anApiCall({ requestParameters: { secretId: 'prod/db', versionStages: ['AWSCURRENT', 'AWSPREVIOUS'] } }),
      { effects: [valueChanged] },
    ],
    [
      'PutSecretValue staging AWSPREVIOUS alone',
      anApiCall({ requestParameters: { secretId: 'prod/db', versionStages: ['AWSPREVIOUS'] } }),
      { effects: [labelMoved('AWSPREVIOUS')] },
    ],
    [
      'PutSecretValue staging a single label given as a string',
      anApiCall({ requestParameters: { secretId: 'prod/db', versionStages: 'AWSCURRENT' } }),
      { effects: [valueChanged] },
    ],
    [
      'PutSecretValue staging no label',
      anApiCall({ requestParameters: { secretId: 'prod/db', versionStages: [] } }),
      { effects: [none('no staging label')] },
    ],
    [
      'UpdateSecret answering VersionId (any casing)',
      anApiCall({ eventName: 'UpdateSecret', responseElements: { ARN: DB_ARN, VersionId: 'v-9' } }),
      { effects: [valueChanged], version: 'v-9' },
    ],
    ['UpdateSecret without a version', anApiCall({ eventName: 'UpdateSecret' }), { effects: [none('metadata only')] }],
    [
      'UpdateSecret of the description, without clientRequestToken',
      anApiCall({ eventName: 'UpdateSecret', requestParameters: { secretId: 'prod/db', description: 'x' } }),
      { effects: [none('metadata only')] },
    ],
    [
      'UpdateSecret with a clientRequestToken (the new version id) and an ARN-only response',
      anApiCall({ eventName: 'UpdateSecret', requestParameters: { secretId: 'prod/db', clientRequestToken: 'v-7' } }),
      { effects: [valueChanged], version: 'v-7' },
    ],
    [
      // The CLI and SDKs fill the token in on a metadata-only call too: ambiguous, read as a value change.
      'UpdateSecret of the description with a clientRequestToken',
      anApiCall({
        eventName: 'UpdateSecret',
        requestParameters: { secretId: 'prod/db', description: 'x', clientRequestToken: 'v-8' },
      }),
      { effects: [valueChanged], version: 'v-8' },
    ],
    [
      'UpdateSecret keeping a redacted secretString',
      anApiCall({
        eventName: 'UpdateSecret',
        requestParameters: { secretId: 'prod/db', secretString: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
      }),
      { effects: [valueChanged] },
    ],
    [
      'UpdateSecret keeping a SecretBinary key (any casing)',
      anApiCall({ eventName: 'UpdateSecret', requestParameters: { secretId: 'prod/db', SecretBinary: '' } }),
      { effects: [valueChanged] },
    ],
    [
      'UpdateSecretVersionStage moving a custom stage',
      anApiCall({
        eventName: 'UpdateSecretVersionStage',
        requestParameters: { secretId: 'prod/db', versionStage: 'BLUE', moveToVersionId: 'v-3' },
      }),
      { effects: [labelMoved('BLUE')], version: 'v-3' },
    ],
    [
      'UpdateSecretVersionStage removing a stage',
      anApiCall({
        eventName: 'UpdateSecretVersionStage',
        requestParameters: { secretId: 'prod/db', versionStage: 'AWSCURRENT', removeFromVersionId: 'v-3' },
      }),
      { effects: [none('removed AWSCURRENT without moving it')] },
    ],
    [
      'a failed call',
      anApiCall({ errorCode: 'ResourceNotFoundException' }),
      { effects: [none('failed: ResourceNotFoundException')] },
    ],
    [
      'a failed DeleteSecret',
      anApiCall({ eventName: 'DeleteSecret', errorCode: 'InvalidRequestException' }),
      { effects: [none('failed: InvalidRequestException')] },
    ],
    ['RotationStarted', aServiceEvent({ eventName: 'RotationStarted' }), { effects: [none('rotation started')] }],
    ['RotationAbandoned', aServiceEvent({ eventName: 'RotationAbandoned' }), { effects: [none('abandoned')] }],
    ['RotationSucceeded', aServiceEvent(), { effects: [valueChanged] }],
    ['Secret Label Updated AWSCURRENT', aSecretLabelUpdated(), { effects: [valueChanged], version: 'v-2' }],
    [
      'Secret Label Updated AWSPENDING',
      aSecretLabelUpdated({ labelUpdated: 'AWSPENDING' }),
      { effects: [labelMoved('AWSPENDING')], version: 'v-2' },
    ],
  ])('decides the effects of %s', (_, event, { effects, version }) => {
    const changes = changesOf(parseChange(event));
    expect(changes.map((change) => change.effect)).toEqual(effects);
    for (const change of changes) expect(change.version).toBe(version);
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'not an EventBridge event: expected a JSON object'],
    ['undefined', undefined, 'not an EventBridge event: expected a JSON object'],
    ['a string', '{"source":"aws.ssm"}', 'not an EventBridge event: expected a JSON object'],
    ['a number', 42, 'not an EventBridge event: expected a JSON object'],
    ['an array', [aParameterStoreChange()], 'not an EventBridge event: expected a JSON object'],
    ['an empty object', {}, 'not an EventBridge event: source and detail-type must be strings'],
    [
      'a numeric source',
      { source: 1, 'detail-type': 'x' },
      'not an EventBridge event: source and detail-type must be strings',
    ],
    [
      'an unknown detail-type from a known source',
      aParameterStoreChange({}, { 'detail-type': 'Parameter Store Something' }),
      `${NOT_HANDLED}: aws.ssm / Parameter Store Something`,
    ],
    [
      'a source spread over lines',
      aParameterStoreChange({}, { source: 'aws.\nssm' }),
      `${NOT_HANDLED}: aws. ssm / Parameter Store Change`,
    ],
    [
      'a CloudTrail event the reactor does not handle',
      anApiCall({ eventName: 'GetSecretValue' }),
      `${NOT_HANDLED}: aws.secretsmanager / AWS API Call via CloudTrail GetSecretValue`,
    ],
    ['an event without an id', aParameterStoreChange({}, { id: undefined }), 'Parameter Store Change without id'],
    [
      'an event without detail',
      aParameterStoreChange({}, { detail: undefined }),
      'Parameter Store Change without detail',
    ],
    [
      'a detail that is an array',
      aParameterStoreChange({}, { detail: [] }),
      'Parameter Store Change with an invalid detail',
    ],
    ['a numeric region', aParameterStoreChange({}, { region: 2 }), 'Parameter Store Change with an invalid region'],
    ['an SSM change without a name', aParameterStoreChange({ name: '' }), 'Parameter Store Change without detail.name'],
    [
      'an SSM change with a numeric name',
      aParameterStoreChange({ name: 7 }),
      'Parameter Store Change with an invalid detail.name',
    ],
    [
      'an SSM change without an operation',
      aParameterStoreChange({ operation: undefined }),
      'Parameter Store Change without detail.operation',
    ],
    [
      'a label move without a label',
      aParameterStoreChange({ operation: 'LabelParameterVersion' }),
      'Parameter Store Change without detail.label',
    ],
    [
      'a policy action without a parameter name',
      aPolicyAction({ 'parameter-name': undefined }),
      'Parameter Store Policy Action without detail.parameter-name',
    ],
    [
      'a policy action without a policy type',
      aPolicyAction({ 'policy-type': undefined }),
      'Parameter Store Policy Action without detail.policy-type',
    ],
    ['a bad envelope time', aPolicyAction({}, { time: 'yesterday' }), 'time is not an ISO-8601 timestamp'],
    ['a date-only time', aSecretLabelUpdated({}, { time: '2026-11-28' }), 'time is not an ISO-8601 timestamp'],
    [
      'an impossible date that Date.parse would roll over',
      aSecretLabelUpdated({}, { time: '2026-02-30T12:00:00Z' }),
      'time is not an ISO-8601 timestamp',
    ],
    [
      'an overlong source, truncated to keep the reason short',
      aParameterStoreChange({}, { source: 'x'.repeat(500) }),
      `${NOT_HANDLED}: ${'x'.repeat(100)}… / Parameter Store Change`,
    ],
    [
      'a CloudTrail event with no valid time',
      anApiCall({ eventTime: 'soon' }, { time: 'later' }),
      'time is not an ISO-8601 timestamp',
    ],
    [
      'a label update naming no secret',
      aSecretLabelUpdated({ name: undefined }, { resources: [] }),
      'Secret Label Updated without detail.name',
    ],
    [
      'a label update without the label',
      aSecretLabelUpdated({ labelUpdated: undefined }),
      'Secret Label Updated without detail.labelUpdated',
    ],
    [
      'a CloudTrail record without eventName',
      anApiCall({ eventName: undefined }),
      'AWS API Call via CloudTrail without detail.eventName',
    ],
    [
      'a CloudTrail record naming no secret',
      anApiCall({ requestParameters: null, responseElements: null }),
      'AWS API Call via CloudTrail without a secret id (detail.responseElements.arn, detail.additionalEventData.SecretId or detail.requestParameters.secretId)',
    ],
    [
      'a version-stage update without the stage',
      anApiCall({ eventName: 'UpdateSecretVersionStage', requestParameters: { secretId: 'prod/db' } }),
      'AWS API Call via CloudTrail without detail.requestParameters.versionStage',
    ],
  ])('rejects %s', (_, event, reason) => {
    expect(parseChange(event)).toEqual({ ok: false, reason });
  });

  it('reports every stage a PutSecretValue moved, so a reference pinned to any of them is reached', () => {
    const stage = fc.constantFrom('AWSCURRENT', 'AWSPREVIOUS', 'AWSPENDING', 'BLUE', 'blue', 'GREEN');
    fc.assert(
      fc.property(fc.array(stage, { maxLength: 6 }), stage, (stages, other) => {
        const changes = changesOf(
          parseChange(anApiCall({ requestParameters: { secretId: 'prod/db', versionStages: stages } })),
        );
        const reached = (label: string) => changes.some((change) => readsWhatMoved(pinnedTo(label), change.effect));
        for (const listed of stages) expect(reached(listed)).toBe(true);
        if (!stages.includes(other) && !(other === 'AWSPREVIOUS' && stages.includes('AWSCURRENT'))) {
          expect(reached(other)).toBe(false);
        }
        // One event, several changes: each keeps the event's identity.
        const ids = new Set(
          changes.map((c) => JSON.stringify([c.eventId, c.cloudTrailEventId, c.changedAt, c.resource])),
        );
        expect(ids.size).toBe(1);
      }),
    );
  });

  it('rejects a hostile object instead of throwing', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
        ownKeys: () => {
          throw new Error('boom');
        },
      },
    );
    expect(parseChange(hostile)).toEqual({ ok: false, reason: expect.stringContaining('not an EventBridge event') });
  });

  const expectWellFormed = (parsed: ParsedEvent) => {
    if (parsed.ok) {
      expect(parsed.changes.length).toBeGreaterThan(0);
      for (const change of parsed.changes) {
        expect(Number.isFinite(change.changedAt)).toBe(true);
        expect(change.eventId).not.toBe('');
      }
    } else {
      expect(parsed.reason).toMatch(/^\S.*$/);
    }
  };

  it('never throws on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => expectWellFormed(parseChange(value))));
  });

  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (value) =>
        expectWellFormed(parseChange(value)),
      ),
    );
  });

  it('never throws on samples with fields dropped or replaced', () => {
    const samples = sampleFiles.map(loadSample);
    const mutation = fc.record({ at: fc.nat(), replacement: fc.option(fc.jsonValue(), { nil: undefined }) });
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (sample, mutations) => {
          const mutated = mutations.reduce(mutate, structuredClone(sample));
          expectWellFormed(parseChange(mutated));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts every handled sample whatever unrelated fields it gains', () => {
    const handled = sampleFiles.filter((file) => !file.startsWith('malformed/')).map(loadSample) as Json[];
    fc.assert(
      fc.property(fc.constantFrom(...handled), fc.dictionary(fc.string(), fc.jsonValue()), (sample, extra) => {
        const prefixed = Object.fromEntries(Object.entries(extra).map(([key, value]) => [`x-${key}`, value]));
        const detail = sample.detail as Json;
        expect(parseChange({ ...sample, detail: { ...detail, ...prefixed } }).ok).toBe(true);
      }),
    );
  });
});

describe('toPartition', () => {
  it.each([
    ['us-east-2', 'aws'],
    ['eu-central-1', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-east-1', 'aws-us-gov'],
  ])('maps %s to %s', (region, partition) => {
    expect(toPartition(region)).toBe(partition);
  });
});

/** Drops (replacement undefined) or replaces the node at one of the value's paths, chosen by `at`. */
function mutate(value: unknown, { at, replacement }: { at: number; replacement: unknown }): unknown {
  const paths = pathsOf(value);
  if (paths.length === 0) return replacement;
  const path = paths[at % paths.length];
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Json)[key], value) as Json;
  const key = path[path.length - 1];
  if (replacement === undefined) delete parent[key];
  else parent[key] = replacement;
  return value;
}

function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}
