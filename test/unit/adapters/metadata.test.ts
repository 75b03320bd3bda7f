import {
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { createMetadataSource, METADATA_COMMANDS } from '../../../lib/adapters/metadata';
import { HOME, secret, ssm } from '../../support/builders';

const SM = `arn:aws:secretsmanager:${HOME.region}:${HOME.account}:secret`;
const config = (endpoint?: string) => ({
  region: HOME.region,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
  ...(endpoint ? { endpoint } : {}),
});

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const notFound = () =>
  new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });

describe('createMetadataSource (aws-sdk-client-mock)', () => {
  const clients = { ssm: new SSMClient(config()), secrets: new SecretsManagerClient(config()) };
  const ssmMock = mockClient(clients.ssm);
  const secretsMock = mockClient(clients.secrets);
  const metadata = createMetadataSource(clients, HOME);
  const T = Date.UTC(2026, 10, 1, 12, 0, 0);
  const sentCommands = () =>
    [...ssmMock.calls(), ...secretsMock.calls()].map((call) => (call.args[0] as object).constructor.name);
  const aSecret = (name: string, extra: object = {}) => ({
    ARN: `${SM}:${name}-AbCdEf`,
    Name: name,
    ...extra,
  });
  const versions = (created: number, stages = ['AWSCURRENT']) => ({
    Versions: [{ VersionId: 'v-current', VersionStages: stages, CreatedDate: new Date(created) }],
  });

  beforeEach(() => {
    ssmMock.reset();
    secretsMock.reset();
    ssmMock.on(DescribeParametersCommand).resolves({ Parameters: [] });
    secretsMock.on(DescribeSecretCommand).callsFake(({ SecretId }) => aSecret(String(SecretId).replace(`${SM}:`, '')));
    secretsMock.on(ListSecretVersionIdsCommand).resolves(versions(T));
  });

  afterEach(() => {
    expect(sentCommands().filter((c) => !(METADATA_COMMANDS as readonly string[]).includes(c))).toEqual([]);
  });

  it('asks at most 50 names per filter, both spellings of a single-level name together', async () => {
    const names = Array.from({ length: 30 }, (_, i) => ssm(`p${i}`));
    await metadata.describe(names);
    const filters = ssmMock
      .commandCalls(DescribeParametersCommand)
      .map((c) => c.args[0].input.ParameterFilters?.[0]?.Values ?? []);
    expect(filters.map((v) => v.length)).toEqual([50, 10]);
    expect(filters[0].slice(0, 2)).toEqual(['p0', '/p0']);
  });

  it('reports every parameter of a throttled filter as failed and keeps the others', async () => {
    ssmMock
      .on(DescribeParametersCommand)
      .rejectsOnce(throttled())
      .resolves({
        Parameters: [{ Name: '/q/0', LastModifiedDate: new Date(T), Version: 4 }],
      });
    const first = Array.from({ length: 50 }, (_, i) => ssm(`p/${i}`));
    const { found, failed } = await metadata.describe([...first, ssm('q/0')]);
    expect(failed).toHaveLength(50);
    expect(failed[0].why).toBe('ThrottlingException: Rate exceeded');
    expect(found).toEqual([{ resource: ssm('/q/0'), exists: true, lastChangedAt: T, version: '4' }]);
  });

  it('reports a throttled secret as failed and still describes the others', async () => {
    secretsMock.on(DescribeSecretCommand, { SecretId: `${SM}:slow` }).rejects(throttled());
    const { found, failed } = await metadata.describe([secret('slow', false), secret('fast', false)]);
    expect(failed).toEqual([{ resource: secret('slow', false), why: 'ThrottlingException: Rate exceeded' }]);
    expect(found.map((m) => m.resource)).toEqual([secret('fast-AbCdEf')]);
  });

  it('asks by plain name when a name that looks like a complete ARN id is not found as an ARN', async () => {
    secretsMock.on(DescribeSecretCommand, { SecretId: `${SM}:svc-Looks1` }).rejects(notFound());
    secretsMock.on(DescribeSecretCommand, { SecretId: 'svc-Looks1' }).resolves(aSecret('svc-Looks1'));
    const { found } = await metadata.describe([secret('svc-Looks1', false)]);
    expect(found).toEqual([
      { resource: secret('svc-Looks1-AbCdEf'), exists: true, lastChangedAt: T, version: 'v-current' },
    ]);
  });

  it('dates a rotated secret by LastRotatedDate when AWSCURRENT moved after its version was created', async () => {
    secretsMock.on(DescribeSecretCommand).resolves(aSecret('rotated', { LastRotatedDate: new Date(T + 90_000) }));
    const { found } = await metadata.describe([secret('rotated', false)]);
    expect(found[0].lastChangedAt).toBe(T + 90_000);
  });

  it('dates a secret by its AWSCURRENT version when a value was put after the last rotation', async () => {
    secretsMock.on(DescribeSecretCommand).resolves(aSecret('put', { LastRotatedDate: new Date(T - 90_000) }));
    const { found } = await metadata.describe([secret('put', false)]);
    expect(found[0].lastChangedAt).toBe(T);
  });

  it('finds AWSCURRENT on a later page of versions', async () => {
    secretsMock
      .on(ListSecretVersionIdsCommand)
      .resolvesOnce({ ...versions(T - 1, ['AWSPREVIOUS']), NextToken: 'page-2' })
      .resolves(versions(T));
    const { found } = await metadata.describe([secret('paged', false)]);
    expect(found[0]).toMatchObject({ lastChangedAt: T, version: 'v-current' });
    expect(secretsMock.commandCalls(ListSecretVersionIdsCommand)).toHaveLength(2);
  });

  it('reports a secret without an AWSCURRENT version as failed', async () => {
    secretsMock.on(ListSecretVersionIdsCommand).resolves(versions(T, ['AWSPENDING']));
    const { found, failed } = await metadata.describe([secret('empty', false)]);
    expect(found).toEqual([]);
    expect(failed[0].why).toMatch(/no AWSCURRENT version/);
  });

  it('reports a secret deleted between the two calls as missing', async () => {
    secretsMock.on(ListSecretVersionIdsCommand).rejects(notFound());
    const { found } = await metadata.describe([secret('racing', false)]);
    expect(found).toEqual([{ resource: secret('racing', false), exists: false }]);
  });

  it('sends nothing for nothing', async () => {
    expect(await metadata.describe([])).toEqual({ found: [], failed: [] });
    expect(sentCommands()).toEqual([]);
  });
});
