import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { rejectionOf } from '../../support/sandbox';

const START = Date.parse('2026-11-28T12:00:00Z');
const ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:prod/db-AbCdEf';
const OLD = '9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE';
const CURRENT = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
let sandbox: Sandbox;
let secrets: SecretsManagerClient;

const stagesOf = async (SecretId: string) =>
  (await secrets.send(new DescribeSecretCommand({ SecretId }))).VersionIdsToStages ?? {};

beforeAll(async () => {
  sandbox = await startSandbox({
    clock: 'manual',
    startTime: START,
    dynamodb: false,
    fleet: {
      region: 'us-east-2',
      account: '123456789012',
      jobQueues: [],
      jobDefinitions: [],
      jobs: [],
      metadata: {
        parameters: [],
        secrets: [
          {
            name: 'prod/db',
            arn: ARN,
            createdDate: START - 90 * 86_400_000,
            versions: [
              { versionId: OLD, stages: ['AWSPREVIOUS'], createdDate: START - 30 * 86_400_000 },
              { versionId: CURRENT, stages: ['AWSCURRENT'], createdDate: START - 3_600_000 },
            ],
          },
        ],
      },
    },
  });
  secrets = new SecretsManagerClient({
    endpoint: sandbox.endpoint,
    region: 'us-east-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  secrets.destroy();
  await sandbox.stop();
});

describe('DescribeSecret and ListSecretVersionIds', () => {
  it.each([
    ['its name', 'prod/db'],
    ['its complete ARN', ARN],
    ['a partial ARN (no suffix)', 'arn:aws:secretsmanager:us-east-2:123456789012:secret:prod/db'],
  ])('describe the secret of the fleet snapshot by %s', async (_, SecretId) => {
    const described = await secrets.send(new DescribeSecretCommand({ SecretId }));
    expect(described).toMatchObject({
      ARN,
      Name: 'prod/db',
      CreatedDate: new Date(START - 90 * 86_400_000),
      LastChangedDate: new Date(START - 3_600_000),
      VersionIdsToStages: { [OLD]: ['AWSPREVIOUS'], [CURRENT]: ['AWSCURRENT'] },
    });
    const listed = await secrets.send(new ListSecretVersionIdsCommand({ SecretId }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.VersionStages, v.CreatedDate])).toEqual([
      [OLD, ['AWSPREVIOUS'], new Date(START - 30 * 86_400_000)],
      [CURRENT, ['AWSCURRENT'], new Date(START - 3_600_000)],
    ]);
    expect(listed).toMatchObject({ ARN, Name: 'prod/db' });
  });

  it.each([
    ['an unknown name', 'prod/none'],
    ['a complete ARN with another suffix', `${ARN.slice(0, -6)}XXXXXX`],
    ['another account', 'arn:aws:secretsmanager:us-east-2:210987654321:secret:prod/db'],
  ])('answers %s with ResourceNotFoundException', async (_, SecretId) => {
    const error = await rejectionOf(secrets.send(new DescribeSecretCommand({ SecretId })));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['ResourceNotFoundException', 400]);
  });
});

describe('CreateSecret, PutSecretValue, UpdateSecretVersionStage, DeleteSecret (seeding)', () => {
  it('creates a secret with its first version AWSCURRENT, under a complete ARN', async () => {
    const created = await secrets.send(new CreateSecretCommand({ Name: 'seed/a', SecretString: 'v1' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-2:123456789012:secret:seed\/a-[A-Za-z0-9]{6}$/);
    expect(await stagesOf('seed/a')).toEqual({ [created.VersionId!]: ['AWSCURRENT'] });
    const twice = await rejectionOf(secrets.send(new CreateSecretCommand({ Name: 'seed/a', SecretString: 'v1' })));
    expect(twice.name).toBe('ResourceExistsException');
  });

  it('moves AWSCURRENT to a new value, AWSPREVIOUS to the one before, and drops the older AWSPREVIOUS', async () => {
    sandbox.advance(60_000);
    const put = await secrets.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: 'rotated' }));
    expect(put).toMatchObject({ ARN, VersionStages: ['AWSCURRENT'] });
    expect(await stagesOf('prod/db')).toEqual({ [CURRENT]: ['AWSPREVIOUS'], [put.VersionId!]: ['AWSCURRENT'] });
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: 'prod/db' }));
    expect(described.LastChangedDate).toEqual(new Date(START + 60_000));
    const all = await secrets.send(new ListSecretVersionIdsCommand({ SecretId: 'prod/db', IncludeDeprecated: true }));
    expect(all.Versions?.find((v) => v.VersionId === OLD)?.VersionStages).toEqual([]);
    const staged = await secrets.send(new ListSecretVersionIdsCommand({ SecretId: 'prod/db' }));
    expect(staged.Versions?.map((v) => v.VersionId)).not.toContain(OLD);
  });

  it('stages a custom label without touching AWSCURRENT, and moves AWSCURRENT back by naming its holder', async () => {
    const blue = await secrets.send(
      new PutSecretValueCommand({ SecretId: 'seed/a', SecretString: 'blue', VersionStages: ['BLUE'] }),
    );
    const before = await stagesOf('seed/a');
    const current = Object.keys(before).find((id) => before[id].includes('AWSCURRENT'))!;
    expect(before[blue.VersionId!]).toEqual(['BLUE']);
    const unnamed = await rejectionOf(
      secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'seed/a',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: blue.VersionId,
        }),
      ),
    );
    expect(unnamed.name).toBe('InvalidParameterException');
    await secrets.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'seed/a',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: blue.VersionId,
        RemoveFromVersionId: current,
      }),
    );
    expect(await stagesOf('seed/a')).toEqual({ [current]: ['AWSPREVIOUS'], [blue.VersionId!]: ['BLUE', 'AWSCURRENT'] });
  });

  it('schedules a deletion (DescribeSecret shows DeletedDate; changes are refused) or deletes at once', async () => {
    await secrets.send(new CreateSecretCommand({ Name: 'seed/old', SecretString: 'v' }));
    const scheduled = await secrets.send(new DeleteSecretCommand({ SecretId: 'seed/old', RecoveryWindowInDays: 7 }));
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: 'seed/old' }));
    expect(described.DeletedDate).toEqual(scheduled.DeletionDate);
    const refused = await rejectionOf(
      secrets.send(new PutSecretValueCommand({ SecretId: 'seed/old', SecretString: 'v' })),
    );
    expect(refused.name).toBe('InvalidRequestException');
    await secrets.send(new CreateSecretCommand({ Name: 'seed/gone', SecretString: 'v' }));
    await secrets.send(new DeleteSecretCommand({ SecretId: 'seed/gone', ForceDeleteWithoutRecovery: true }));
    expect((await rejectionOf(secrets.send(new DescribeSecretCommand({ SecretId: 'seed/gone' })))).name).toBe(
      'ResourceNotFoundException',
    );
  });

  it('keeps no value: a version sent with both a string and a binary value is refused, as AWS does', async () => {
    const both = await rejectionOf(
      secrets.send(
        new PutSecretValueCommand({ SecretId: 'seed/a', SecretString: 'x', SecretBinary: new Uint8Array([1]) }),
      ),
    );
    expect(both.name).toBe('InvalidParameterException');
  });
});

describe('operations that return a value', () => {
  it.each([
    ['GetSecretValue', () => new GetSecretValueCommand({ SecretId: 'prod/db' })],
    ['BatchGetSecretValue', () => new BatchGetSecretValueCommand({ SecretIdList: ['prod/db'] })],
  ])('%s is refused: the sandbox never serves a value', async (operation, command) => {
    const error = await rejectionOf(secrets.send(command() as never));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain(
      `secretsmanager:${operation} is refused: the rotation-reactor sandbox never serves`,
    );
  });
});
