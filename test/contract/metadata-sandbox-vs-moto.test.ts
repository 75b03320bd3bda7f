import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { DeleteParameterCommand, DescribeParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type Sandbox, startSandbox } from '../../lib/sandbox';
import { type Moto, startMoto } from '../support/moto';
import { rejectionOf } from '../support/sandbox';
import { expectSameShape, expectSuperset } from '../support/shapes';

/**
 * Parameter Store and Secrets Manager metadata: the same requests go to moto and to the sandbox, and the responses
 * must have the same shape (see sandbox-vs-moto.test.ts). Known moto departures, each handled where it matters:
 * DescribeParameters has no ARN and ListSecretVersionIds no KmsKeyIds (the sandbox's are supersets); moto's
 * ListSecretVersionIds dates a LastAccessedDate that the sandbox omits (it serves no value, so nothing was
 * accessed), answers an empty NextToken on the last page, and names the secret where its ARN belongs.
 */

const region = 'us-east-2';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
type Side = 'sandbox' | 'moto';
let moto: Moto;
let sandbox: Sandbox;
let ssm: Record<Side, SSMClient>;
let secrets: Record<Side, SecretsManagerClient>;

const onSsm = <T>(call: (client: SSMClient, side: Side) => Promise<T>) =>
  Promise.all([call(ssm.sandbox, 'sandbox'), call(ssm.moto, 'moto')]);
const onSecrets = <T>(call: (client: SecretsManagerClient, side: Side) => Promise<T>) =>
  Promise.all([call(secrets.sandbox, 'sandbox'), call(secrets.moto, 'moto')]);

beforeAll(async () => {
  // One after the other: when moto cannot start, no sandbox is left listening (jest would never exit).
  moto = await startMoto();
  sandbox = await startSandbox({ dynamodb: false });
  const config = (endpoint: string) => ({ endpoint, region, credentials, maxAttempts: 1 });
  ssm = { sandbox: new SSMClient(config(sandbox.endpoint)), moto: new SSMClient(config(moto.endpoint)) };
  secrets = {
    sandbox: new SecretsManagerClient(config(sandbox.endpoint)),
    moto: new SecretsManagerClient(config(moto.endpoint)),
  };
}, 30_000);

afterAll(async () => {
  for (const client of [ssm?.sandbox, ssm?.moto, secrets?.sandbox, secrets?.moto]) client?.destroy();
  await Promise.all([sandbox?.stop(), moto?.stop()]);
});

describe('Parameter Store metadata: sandbox vs moto', () => {
  it('PutParameter: same shape for a create and an overwrite; both refuse a create of an existing name', async () => {
    const created = await onSsm((c) =>
      c.send(new PutParameterCommand({ Name: '/contract/db', Value: 'v1', Type: 'SecureString' })),
    );
    expectSameShape(...created);
    const overwritten = await onSsm((c) =>
      c.send(new PutParameterCommand({ Name: '/contract/db', Value: 'v2', Type: 'SecureString', Overwrite: true })),
    );
    expectSameShape(...overwritten);
    expect(overwritten.map((r) => r.Version)).toEqual([2, 2]);
    const again = await onSsm((c) =>
      rejectionOf(c.send(new PutParameterCommand({ Name: '/contract/db', Value: 'v3', Type: 'SecureString' }))),
    );
    expect(again.map((e) => [e.name, e.$metadata?.httpStatusCode])).toEqual([
      ['ParameterAlreadyExists', 400],
      ['ParameterAlreadyExists', 400],
    ]);
  });

  it('DescribeParameters by name: a superset of moto, same name, type, version, key and tier', async () => {
    await onSsm((c) => c.send(new PutParameterCommand({ Name: 'contract-plain', Value: 'v', Type: 'String' })));
    const described = await onSsm((c) =>
      c.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/contract/db', 'contract-plain', '/none'] }],
        }),
      ),
    );
    expectSuperset(...described);
    const pick = ({
      Name,
      Type,
      Version,
      KeyId,
      Tier,
      DataType,
    }: NonNullable<(typeof described)[0]['Parameters']>[0]) => ({
      Name,
      Type,
      Version,
      KeyId,
      Tier,
      DataType,
    });
    const [fromSandbox, fromMoto] = described.map((r) =>
      (r.Parameters ?? []).map(pick).sort((a, b) => a.Name!.localeCompare(b.Name!)),
    );
    expect(fromSandbox).toEqual(fromMoto);
    expect(fromSandbox.map((p) => p.Name)).toEqual(['/contract/db', 'contract-plain']);
    expect(described[0].Parameters?.every((p) => p.LastModifiedDate instanceof Date)).toBe(true);
  });

  it('DescribeParameters: both reject a filter of more than 50 values with ValidationException', async () => {
    const errors = await onSsm((c) =>
      rejectionOf(
        c.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: Array(51).fill('/x') }] })),
      ),
    );
    expect(errors.map((e) => e.name)).toEqual(['ValidationException', 'ValidationException']);
  });

  it('DeleteParameter: same (empty) shape; both answer a second delete with ParameterNotFound', async () => {
    const deleted = await onSsm((c) => c.send(new DeleteParameterCommand({ Name: 'contract-plain' })));
    expectSameShape(...deleted);
    const again = await onSsm((c) => rejectionOf(c.send(new DeleteParameterCommand({ Name: 'contract-plain' }))));
    expect(again.map((e) => e.name)).toEqual(['ParameterNotFound', 'ParameterNotFound']);
  });
});

describe('Secrets Manager metadata: sandbox vs moto', () => {
  const versions: Record<Side, { first: string; second: string }> = {
    sandbox: { first: '', second: '' },
    moto: { first: '', second: '' },
  };
  /** VersionIdsToStages with each side's version ids named by role, so the two compare. */
  const byRole = (side: Side, stages: Record<string, string[]> = {}) =>
    Object.fromEntries(
      Object.entries(stages).map(([id, s]) => [
        id === versions[side].first ? 'first' : id === versions[side].second ? 'second' : id,
        s,
      ]),
    );
  /** A DescribeSecret response with its version ids named by role (ids differ by construction; the keys must not). */
  const withRoles = <T extends { VersionIdsToStages?: Record<string, string[]> }>(side: Side, response: T) => ({
    ...response,
    VersionIdsToStages: byRole(side, response.VersionIdsToStages),
  });

  it('CreateSecret: same shape and ARN format (name, then a 6-character suffix)', async () => {
    const created = await onSecrets((c) =>
      c.send(new CreateSecretCommand({ Name: 'contract/db', SecretString: 'v1' })),
    );
    expectSameShape(...created);
    for (const response of created) {
      expect(response.ARN).toMatch(
        /^arn:aws:secretsmanager:us-east-2:123456789012:secret:contract\/db-[A-Za-z0-9]{6}$/,
      );
    }
    versions.sandbox.first = created[0].VersionId!;
    versions.moto.first = created[1].VersionId!;
  });

  it('PutSecretValue: same shape; AWSCURRENT moves to the new version and AWSPREVIOUS to the old, on both', async () => {
    const put = await onSecrets((c) =>
      c.send(new PutSecretValueCommand({ SecretId: 'contract/db', SecretString: 'v2' })),
    );
    expectSameShape(...put);
    versions.sandbox.second = put[0].VersionId!;
    versions.moto.second = put[1].VersionId!;
    const described = await onSecrets((c) => c.send(new DescribeSecretCommand({ SecretId: 'contract/db' })));
    expectSameShape(withRoles('sandbox', described[0]), withRoles('moto', described[1]));
    expect(described.map((d, i) => byRole(i === 0 ? 'sandbox' : 'moto', d.VersionIdsToStages))).toEqual([
      { first: ['AWSPREVIOUS'], second: ['AWSCURRENT'] },
      { first: ['AWSPREVIOUS'], second: ['AWSCURRENT'] },
    ]);
  });

  it('ListSecretVersionIds: a superset of moto but LastAccessedDate (moto dates an access that never happened)', async () => {
    const listed = await onSecrets((c) => c.send(new ListSecretVersionIdsCommand({ SecretId: 'contract/db' })));
    const { NextToken, ...fromMoto } = listed[1];
    expect(NextToken ?? '').toBe('');
    const withoutAccess = fromMoto.Versions?.map(({ LastAccessedDate: _, ...rest }) => rest);
    expectSuperset(listed[0], { ...fromMoto, Versions: withoutAccess });
    expect(listed[0].Versions?.every((v) => v.LastAccessedDate === undefined)).toBe(true);
    const stages = (side: Side, r: (typeof listed)[0]) =>
      Object.fromEntries(
        (r.Versions ?? []).map((v) => [v.VersionId === versions[side].first ? 'first' : 'second', v.VersionStages]),
      );
    expect(stages('sandbox', listed[0])).toEqual(stages('moto', listed[1]));
  });

  it('UpdateSecretVersionStage: both insist on naming the holder of AWSCURRENT, then move it the same way', async () => {
    const unnamed = await onSecrets((c, side) =>
      rejectionOf(
        c.send(
          new UpdateSecretVersionStageCommand({
            SecretId: 'contract/db',
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: versions[side].first,
          }),
        ),
      ),
    );
    expect(unnamed.map((e) => e.name)).toEqual(['InvalidParameterException', 'InvalidParameterException']);
    const moved = await onSecrets((c, side) =>
      c.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'contract/db',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: versions[side].first,
          RemoveFromVersionId: versions[side].second,
        }),
      ),
    );
    expectSameShape(...moved);
    const described = await onSecrets((c) => c.send(new DescribeSecretCommand({ SecretId: 'contract/db' })));
    expect(described.map((d, i) => byRole(i === 0 ? 'sandbox' : 'moto', d.VersionIdsToStages))).toEqual([
      { first: ['AWSCURRENT'], second: ['AWSPREVIOUS'] },
      { first: ['AWSCURRENT'], second: ['AWSPREVIOUS'] },
    ]);
  });

  it('DeleteSecret: same shape; DescribeSecret then shows the same DeletedDate on both', async () => {
    const deleted = await onSecrets((c) =>
      c.send(new DeleteSecretCommand({ SecretId: 'contract/db', RecoveryWindowInDays: 7 })),
    );
    expectSameShape(...deleted);
    const described = await onSecrets((c) => c.send(new DescribeSecretCommand({ SecretId: 'contract/db' })));
    expectSameShape(withRoles('sandbox', described[0]), withRoles('moto', described[1]));
    for (const [i, d] of described.entries()) expect(d.DeletedDate).toEqual(deleted[i].DeletionDate);
  });

  it('both answer an unknown secret with ResourceNotFoundException', async () => {
    const errors = await onSecrets((c) =>
      rejectionOf(c.send(new DescribeSecretCommand({ SecretId: 'contract/none' }))),
    );
    expect(errors.map((e) => e.name)).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException']);
  });
});
