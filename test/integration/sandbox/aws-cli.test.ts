import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Sandbox, type SandboxFleet, startSandbox } from '../../../lib/sandbox';
import { requireAwsCli } from '../../support/aws-cli';

/** The AWS CLI (botocore) against the sandbox's Parameter Store and Secrets Manager: the wire protocol, not the JS SDK. */

const sample = JSON.parse(readFileSync('events/fleets/sample.json', 'utf8')) as SandboxFleet;
let sandbox: Sandbox;

function aws(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'aws',
      [...args, '--endpoint-url', sandbox.endpoint, '--region', 'us-east-2', '--output', 'json'],
      { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  requireAwsCli();
  sandbox = await startSandbox({ fleet: sample, clock: 'manual', dynamodb: false });
});
afterAll(() => sandbox?.stop());

describe('the sandbox with the AWS CLI', () => {
  it('aws ssm describe-parameters: filters and pages (the CLI follows NextToken)', async () => {
    const { code, stdout } = await aws(
      'ssm',
      'describe-parameters',
      '--parameter-filters',
      'Key=Path,Option=Recursive,Values=/prod',
      '--page-size',
      '1',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).Parameters.map((p: { Name: string; Version: number }) => [p.Name, p.Version])).toEqual([
      ['/prod/db/password', 4],
      ['/prod/api/key', 3],
      ['/prod/logging/splunk-token', 1],
    ]);
    expect(sandbox.countsByOperation().DescribeParameters).toBe(3);
  });

  it('aws ssm put-parameter then describe-parameters sees the next version', async () => {
    expect((await aws('ssm', 'put-parameter', '--name', '/prod/db/password', '--value', 'x', '--overwrite')).code).toBe(
      0,
    );
    const { stdout } = await aws('ssm', 'describe-parameters', '--filters', 'Key=Name,Values=/prod/db/password');
    expect(JSON.parse(stdout).Parameters).toEqual([expect.objectContaining({ Name: '/prod/db/password', Version: 5 })]);
  });

  it('aws secretsmanager describe-secret and list-secret-version-ids by partial ARN', async () => {
    const partial = 'arn:aws:secretsmanager:us-east-2:123456789012:secret:prod/db';
    const described = JSON.parse((await aws('secretsmanager', 'describe-secret', '--secret-id', partial)).stdout);
    expect(described).toMatchObject({
      ARN: `${partial}-AbCdEf`,
      VersionIdsToStages: {
        '9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE': ['AWSPREVIOUS', 'STABLE'],
        'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['AWSCURRENT'],
      },
    });
    const listed = JSON.parse((await aws('secretsmanager', 'list-secret-version-ids', '--secret-id', partial)).stdout);
    expect(listed.Versions.map((v: { VersionId: string }) => v.VersionId)).toEqual(
      Object.keys(described.VersionIdsToStages),
    );
  });

  it.each([
    ['ssm', 'get-parameter', '--name', '/prod/db/password', '--with-decryption'],
    ['secretsmanager', 'get-secret-value', '--secret-id', 'prod/db'],
  ])('aws %s %s is refused with a message that says why', async (...args) => {
    const { code, stdout, stderr } = await aws(...args);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /AccessDeniedException.*the rotation-reactor sandbox never serves parameter or secret values/,
    );
  });
});
