import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { InitializeMiddleware } from '@smithy/types';
import { createMetadataSource, METADATA_COMMANDS, NOT_SWEPT_ELSEWHERE } from '../../../lib/adapters/metadata';
import type { MetadataSource, ResourceMetadata } from '../../../lib/core/ports';
import type { Resource } from '../../../lib/core/reference';
import { toSweptResources } from '../../../lib/core/sweep';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { aDefinition, aJob, aQueue, HOME, secret, ssm } from '../../support/builders';
import { type Moto, startMoto } from '../../support/moto';

const SM = `arn:aws:secretsmanager:${HOME.region}:${HOME.account}:secret`;
const config = (endpoint?: string) => ({
  region: HOME.region,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
  ...(endpoint ? { endpoint } : {}),
});

/** Resources exactly as the sweep derives them from job definitions' `valueFrom`s. */
const resourcesOf = (...valueFroms: string[]): Resource[] =>
  toSweptResources({ queues: [aQueue()], live: [aJob()], definitions: [aDefinition(valueFroms)] }, HOME);

/** Records the name of every command a client sends. */
const recordCommands =
  <I extends object, O extends object>(sent: string[]): InitializeMiddleware<I, O> =>
  (next, context) =>
  (args) => {
    sent.push(context.commandName ?? 'unknown');
    return next(args);
  };

/** An SSM + Secrets Manager endpoint that starts each test empty. */
interface Target {
  /** Empties the endpoint (or starts a new one) and returns its URL. */
  fresh(): Promise<string>;
  stop(): Promise<void>;
}

const targets: [string, () => Promise<Target>][] = [
  [
    'moto',
    async () => {
      const moto: Moto = await startMoto();
      const fresh = async () => {
        await moto.reset();
        return moto.endpoint;
      };
      return { fresh, stop: () => moto.stop() };
    },
  ],
  [
    'the sandbox',
    async () => {
      let sandbox: Sandbox | undefined;
      return {
        fresh: async () => {
          await sandbox?.stop();
          sandbox = await startSandbox({ dynamodb: false });
          return sandbox.endpoint;
        },
        stop: async () => sandbox?.stop(),
      };
    },
  ],
];

describe.each(targets)('createMetadataSource (against %s)', (_target, start) => {
  let target: Target;
  let admin: { ssm: SSMClient; secrets: SecretsManagerClient };
  let reactor: { ssm: SSMClient; secrets: SecretsManagerClient };
  let metadata: MetadataSource;
  const sent: string[] = [];

  beforeAll(async () => {
    target = await start();
  });

  afterAll(async () => {
    await target?.stop();
  });

  beforeEach(async () => {
    const endpoint = await target.fresh();
    admin = { ssm: new SSMClient(config(endpoint)), secrets: new SecretsManagerClient(config(endpoint)) };
    reactor = { ssm: new SSMClient(config(endpoint)), secrets: new SecretsManagerClient(config(endpoint)) };
    reactor.ssm.middlewareStack.add(recordCommands(sent), { step: 'initialize' });
    reactor.secrets.middlewareStack.add(recordCommands(sent), { step: 'initialize' });
    metadata = createMetadataSource(reactor, HOME);
    sent.length = 0;
  });

  afterEach(() => {
    for (const client of [admin?.ssm, admin?.secrets, reactor?.ssm, reactor?.secrets]) client?.destroy();
  });

  const putParameter = (Name: string, Value: string, Overwrite = false) =>
    admin.ssm.send(new PutParameterCommand({ Name, Value, Type: 'SecureString', Overwrite }));
  const only = async (resources: Resource[]): Promise<ResourceMetadata> => {
    const { found, failed } = await metadata.describe(resources);
    expect(failed).toEqual([]);
    expect(found).toHaveLength(1);
    return found[0];
  };
  /** Runs `act` and returns the epoch-ms window it ran in. */
  const during = async (act: () => Promise<unknown>) => {
    const before = Date.now();
    await act();
    return { before, after: Date.now() };
  };

  it('tells when a plain parameter was written, and its version', async () => {
    const { before, after } = await during(() => putParameter('plain', 'v1'));
    const found = await only(resourcesOf('plain'));
    expect(found).toMatchObject({ resource: ssm('plain'), exists: true, version: '1' });
    expect(found.lastChangedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(found.lastChangedAt).toBeLessThanOrEqual(after + 1000);
  });

  it.each([
    [
      'a hierarchical name',
      '/team/app/db',
      ['/team/app/db', 'team/app/db', `arn:aws:ssm:us-east-2:123456789012:parameter/team/app/db`],
    ],
    ['a single-level name created with a slash', '/slashed', ['slashed', '/slashed']],
    ['a single-level name created without a slash', 'bare', ['/bare', 'bare']],
  ])('finds %s however the job spells it', async (_name, created, spellings) => {
    await putParameter(created, 'v1');
    for (const valueFrom of spellings) {
      expect(await only(resourcesOf(valueFrom))).toMatchObject({ resource: { name: created }, exists: true });
    }
  });

  it('tells the newest write of a parameter updated twice', async () => {
    await putParameter('/app/token', 'v1');
    const first = await only(resourcesOf('/app/token'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await putParameter('/app/token', 'v2', true);
    await putParameter('/app/token', 'v3', true);
    const found = await only(resourcesOf('/app/token'));
    expect(found).toMatchObject({ exists: true, version: '3' });
    expect(found.lastChangedAt).toBeGreaterThan(first.lastChangedAt!);
  });

  it('reports a parameter that does not exist as missing, as asked', async () => {
    await putParameter('/app/other', 'v1');
    expect(await only(resourcesOf('/app/missing'))).toEqual({ resource: ssm('app/missing'), exists: false });
  });

  it('reads 60 parameters in filters of at most 50 values', async () => {
    // moto and the sandbox reject a filter of more than 50 values, as AWS does: this fails unless the names are split.
    const names = Array.from({ length: 60 }, (_, i) => `/many/p${i}`);
    for (const name of names.slice(0, 30)) await putParameter(name, 'v');
    const { found, failed } = await metadata.describe(resourcesOf(...names));
    expect(failed).toEqual([]);
    expect(found.filter((m) => m.exists)).toHaveLength(30);
    expect(found.filter((m) => !m.exists)).toHaveLength(30);
    expect(sent.filter((c) => c === 'DescribeParametersCommand').length).toBeGreaterThanOrEqual(2);
  });

  it('resolves a secret named by name, partial ARN or complete ARN to its complete ARN', async () => {
    const before = Date.now();
    const { ARN, VersionId } = await admin.secrets.send(
      new CreateSecretCommand({ Name: 'app/db', SecretString: 'v1' }),
    );
    const complete = secret(ARN!.slice(`${SM}:`.length));
    for (const valueFrom of ['/aws/reference/secretsmanager/app/db', `${SM}:app/db`, `${ARN}:username::`, ARN!]) {
      const found = await only(resourcesOf(valueFrom));
      expect(found).toMatchObject({ resource: complete, exists: true, version: VersionId });
      // moto dates every version at the time of the ListSecretVersionIds call, so only a window holds here.
      expect(found.lastChangedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(found.lastChangedAt).toBeLessThanOrEqual(Date.now() + 1000);
    }
  });

  it('follows AWSCURRENT to the version a new value created', async () => {
    await admin.secrets.send(new CreateSecretCommand({ Name: 'app/api', SecretString: 'v1' }));
    const before = Date.now();
    const put = await admin.secrets.send(new PutSecretValueCommand({ SecretId: 'app/api', SecretString: 'v2' }));
    const found = await only(resourcesOf(`${SM}:app/api`));
    expect(found).toMatchObject({ exists: true, version: put.VersionId });
    expect(found.lastChangedAt).toBeGreaterThanOrEqual(before - 1000);
  });

  it('reports a secret scheduled for deletion as missing, under its complete ARN', async () => {
    const { ARN } = await admin.secrets.send(new CreateSecretCommand({ Name: 'app/old', SecretString: 'v1' }));
    await admin.secrets.send(new DeleteSecretCommand({ SecretId: 'app/old', RecoveryWindowInDays: 7 }));
    expect(await only(resourcesOf(`${SM}:app/old`))).toEqual({
      resource: secret(ARN!.slice(`${SM}:`.length)),
      exists: false,
    });
  });

  it.each([
    ['deleted for good', 'app/gone'],
    ['never created', 'app/never'],
  ])('reports a secret %s as missing, as asked', async (_name, id) => {
    await admin.secrets.send(new CreateSecretCommand({ Name: 'app/gone', SecretString: 'v1' }));
    await admin.secrets.send(new DeleteSecretCommand({ SecretId: 'app/gone', ForceDeleteWithoutRecovery: true }));
    expect(await only(resourcesOf(`${SM}:${id}`))).toEqual({ resource: secret(id, false), exists: false });
  });

  it('does not describe resources of another region or account', async () => {
    const elsewhere = resourcesOf(
      'arn:aws:ssm:eu-west-1:123456789012:parameter/far',
      'arn:aws:secretsmanager:us-east-2:210987654321:secret:shared',
    );
    expect(await metadata.describe(elsewhere)).toEqual({
      found: [],
      failed: elsewhere.map((resource) => ({ resource, why: NOT_SWEPT_ELSEWHERE })),
    });
    expect(sent).toEqual([]);
  });

  it('sends only metadata commands, never one that returns a value', async () => {
    await putParameter('/app/a', 'v1');
    await admin.secrets.send(new CreateSecretCommand({ Name: 'app/b', SecretString: 'v1' }));
    await metadata.describe(resourcesOf('/app/a', `${SM}:app/b`, `${SM}:app/c`, '/aws/reference/secretsmanager/app/b'));
    expect(sent.length).toBeGreaterThan(0);
    expect([...new Set(sent)].filter((c) => !(METADATA_COMMANDS as readonly string[]).includes(c))).toEqual([]);
  });
});
