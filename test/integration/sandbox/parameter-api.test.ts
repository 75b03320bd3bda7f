import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { type Sandbox, startSandbox } from '../../../lib/sandbox';
import { rejectionOf } from '../../support/sandbox';

const START = Date.parse('2026-11-28T12:00:00Z');
let sandbox: Sandbox;
let ssm: SSMClient;

const names = (response: { Parameters?: { Name?: string }[] }) => response.Parameters?.map((p) => p.Name);
const describeParameters = (input: DescribeParametersCommandInput) => ssm.send(new DescribeParametersCommand(input));

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
        parameters: [
          { name: '/prod/db/password', type: 'SecureString', version: 4, lastModifiedDate: START - 3_600_000 },
          { name: '/prod/db/user', type: 'String', version: 1, lastModifiedDate: START - 7_200_000 },
          { name: 'MyExampleParameter', type: 'String', version: 2, lastModifiedDate: START - 60_000 },
        ],
        secrets: [],
      },
    },
  });
  ssm = new SSMClient({
    endpoint: sandbox.endpoint,
    region: 'us-east-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  ssm.destroy();
  await sandbox.stop();
});

describe('DescribeParameters', () => {
  it('describes the parameters of the fleet snapshot: version, type, date and ARN, never a value', async () => {
    const { Parameters = [] } = await describeParameters({
      ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: ['/prod/db/password'] }],
    });
    expect(Parameters).toEqual([
      expect.objectContaining({
        Name: '/prod/db/password',
        ARN: 'arn:aws:ssm:us-east-2:123456789012:parameter/prod/db/password',
        Type: 'SecureString',
        Version: 4,
        LastModifiedDate: new Date(START - 3_600_000),
      }),
    ]);
    expect(JSON.stringify(Parameters)).not.toMatch(/"Value"/);
  });

  it('finds a single-level parameter by either spelling, x or /x', async () => {
    for (const spelling of ['MyExampleParameter', '/MyExampleParameter']) {
      const found = await describeParameters({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [spelling] }],
      });
      expect(names(found)).toEqual(['MyExampleParameter']);
    }
  });

  it.each([
    [
      'Path OneLevel',
      [{ Key: 'Path', Option: 'OneLevel', Values: ['/prod/db'] }],
      ['/prod/db/password', '/prod/db/user'],
    ],
    [
      'Path Recursive',
      [{ Key: 'Path', Option: 'Recursive', Values: ['/prod'] }],
      ['/prod/db/password', '/prod/db/user'],
    ],
    ['Path OneLevel at the root', [{ Key: 'Path', Option: 'OneLevel', Values: ['/'] }], ['MyExampleParameter']],
    ['Name BeginsWith', [{ Key: 'Name', Option: 'BeginsWith', Values: ['/prod/db/p'] }], ['/prod/db/password']],
    ['Type', [{ Key: 'Type', Values: ['String'] }], ['/prod/db/user', 'MyExampleParameter']],
    [
      'two filters (all must hold)',
      [
        { Key: 'Path', Option: 'Recursive', Values: ['/prod'] },
        { Key: 'Type', Values: ['String'] },
      ],
      ['/prod/db/user'],
    ],
  ])('filters by %s', async (_, ParameterFilters, expected) => {
    expect(names(await describeParameters({ ParameterFilters, MaxResults: 50 }))).toEqual(expected);
  });

  it('pages with MaxResults and NextToken', async () => {
    const first = await describeParameters({ MaxResults: 2 });
    expect(first.Parameters).toHaveLength(2);
    const second = await describeParameters({ MaxResults: 2, NextToken: first.NextToken });
    expect([...(names(first) ?? []), ...(names(second) ?? [])]).toHaveLength(3);
    expect(second.NextToken).toBeUndefined();
  });

  it.each([
    [
      'more than 50 filter values',
      { ParameterFilters: [{ Key: 'Name', Values: Array(51).fill('x') }] },
      'ValidationException',
    ],
    ['MaxResults over 50', { MaxResults: 51 }, 'ValidationException'],
    ['a filter key it does not know', { ParameterFilters: [{ Key: 'KeyId', Values: ['k'] }] }, 'InvalidFilterKey'],
    [
      'an option the key does not take',
      { ParameterFilters: [{ Key: 'Type', Option: 'BeginsWith', Values: ['S'] }] },
      'InvalidFilterOption',
    ],
    ['a forged NextToken', { NextToken: 'forged' }, 'InvalidNextToken'],
  ])('rejects %s', async (_, input, name) => {
    expect((await rejectionOf(describeParameters(input))).name).toBe(name);
  });
});

describe('PutParameter and DeleteParameter (seeding)', () => {
  it('creates version 1 now, refuses a second create, and overwrites as the next version', async () => {
    expect(
      await ssm.send(new PutParameterCommand({ Name: '/seed/a', Value: 'v1', Type: 'SecureString' })),
    ).toMatchObject({
      Version: 1,
    });
    const again = await rejectionOf(
      ssm.send(new PutParameterCommand({ Name: '/seed/a', Value: 'v2', Type: 'SecureString' })),
    );
    expect(again.name).toBe('ParameterAlreadyExists');
    sandbox.advance(5_000);
    await ssm.send(new PutParameterCommand({ Name: '/seed/a', Value: 'v2', Overwrite: true }));
    const { Parameters = [] } = await describeParameters({ ParameterFilters: [{ Key: 'Name', Values: ['/seed/a'] }] });
    expect(Parameters[0]).toMatchObject({
      Version: 2,
      Type: 'SecureString',
      LastModifiedDate: new Date(START + 5_000),
    });
  });

  it('treats x and /x as one parameter', async () => {
    await ssm.send(new PutParameterCommand({ Name: 'seed-plain', Value: 'v', Type: 'String' }));
    const clash = await rejectionOf(
      ssm.send(new PutParameterCommand({ Name: '/seed-plain', Value: 'v', Type: 'String' })),
    );
    expect(clash.name).toBe('ParameterAlreadyExists');
  });

  it.each([
    ['a hierarchical name without its leading slash', { Name: 'seed/b', Value: 'v', Type: 'String' }],
    ['a reserved prefix', { Name: '/aws/x', Value: 'v', Type: 'String' }],
    ['a new parameter without a type', { Name: '/seed/untyped', Value: 'v' }],
    ['no value', { Name: '/seed/c', Type: 'String' }],
  ])('rejects %s with ValidationException', async (_, input) => {
    const error = await rejectionOf(ssm.send(new PutParameterCommand(input as never)));
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['ValidationException', 400]);
  });

  it('deletes a parameter, which DescribeParameters then omits; a second delete is ParameterNotFound', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/seed/gone', Value: 'v', Type: 'String' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/seed/gone' }));
    expect(names(await describeParameters({ ParameterFilters: [{ Key: 'Name', Values: ['/seed/gone'] }] }))).toEqual(
      [],
    );
    expect((await rejectionOf(ssm.send(new DeleteParameterCommand({ Name: '/seed/gone' })))).name).toBe(
      'ParameterNotFound',
    );
  });
});

describe('operations that return a value', () => {
  it.each([
    ['GetParameter', () => new GetParameterCommand({ Name: '/prod/db/password', WithDecryption: true })],
    ['GetParameters', () => new GetParametersCommand({ Names: ['/prod/db/password'] })],
    ['GetParametersByPath', () => new GetParametersByPathCommand({ Path: '/prod' })],
  ])('%s is refused: the sandbox never serves a value', async (operation, command) => {
    const error = await rejectionOf(ssm.send(command() as never));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(
      `ssm:${operation} is refused: the rotation-reactor sandbox never serves parameter or secret values (it stores none; the reactor reads metadata only)`,
    );
    expect(sandbox.countsByOperation()[operation]).toBeGreaterThan(0);
  });
});
