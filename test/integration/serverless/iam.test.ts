import {
  type CfnTemplate,
  evaluateConditions,
  loadPackagedService,
  resolveIntrinsics,
  resourcesOfType,
} from '../../support/serverless-template';

let template: CfnTemplate;

beforeAll(async () => {
  ({ template } = await loadPackagedService());
}, 180_000);

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

/** Every policy statement anywhere in the template: role policies, queue policies, managed policies. */
function allStatements(node: unknown, found: Statement[] = []): Statement[] {
  if (Array.isArray(node)) for (const item of node) allStatements(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Statement') found.push(...(Array.isArray(value) ? value : [value]));
      else allStatements(value, found);
    }
  }
  return found;
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM action matching: case-insensitive, `*` and `?` wildcards, in either the granted pattern or the action. */
function grants(pattern: string, action: string): boolean {
  const toRegExp = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    );
  return toRegExp(pattern).test(action);
}

const ROLES = ['OnChangeBatchRole', 'OnSweepRole', 'OnJobStateChangeRole', 'OnReplayRole'] as const;
type RoleId = (typeof ROLES)[number];

/** A role's statements with the stack parameters given (conditions evaluated, intrinsics kept where they stay). */
function statementsOf(role: RoleId, parameters: Record<string, string> = {}): Statement[] {
  const conditions = evaluateConditions(template, parameters);
  const policies = (template.Resources[role].Properties as { Policies: { PolicyDocument: { Statement: unknown[] } }[] })
    .Policies;
  return policies.flatMap((policy) =>
    policy.PolicyDocument.Statement.flatMap((statement) => {
      const chosen = pickIf(statement, conditions);
      return chosen === undefined ? [] : [chosen as Statement];
    }),
  );
}

/** Resolves a top-level Fn::If of a statement; AWS::NoValue drops it. */
function pickIf(statement: unknown, conditions: Record<string, boolean>): unknown {
  const branch = (statement as { 'Fn::If'?: [string, unknown, unknown] })['Fn::If'];
  if (!branch) return statement;
  const chosen = conditions[branch[0]] ? branch[1] : branch[2];
  return (chosen as { Ref?: string }).Ref === 'AWS::NoValue' ? undefined : chosen;
}

const roleStatements = () => ROLES.flatMap((role) => statementsOf(role));

/** The ARNs a statement's Resource resolves to in us-east-2 / 123456789012 with the given stack parameters. */
function resourcesOf(statement: Statement, parameters: Record<string, string>): string[] {
  const defaults = Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([name, parameter]) => [name, parameter.Default]),
  );
  const resolved = resolveIntrinsics(statement.Resource, {
    refs: {
      ...defaults,
      ...parameters,
      'AWS::Partition': 'aws',
      'AWS::Region': 'us-east-2',
      'AWS::AccountId': ACCOUNT,
    },
    attributes: { 'LedgerTable.Arn': 'arn:aws:dynamodb:us-east-2:123456789012:table/ledger' },
  });
  return list(resolved as string | string[]);
}

const ACCOUNT = '123456789012';
// Reading a value: never granted, not even through a wildcard (aws-semantics: metadata only).
const FORBIDDEN = [
  'secretsmanager:GetSecretValue',
  'secretsmanager:BatchGetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:GetParameterHistory',
  'kms:Decrypt',
];

// The only actions allowed on Resource '*': read-only APIs without resource-level permissions, and X-Ray's
// segment upload (X-Ray has no resource-level permissions either).
const STAR_RESOURCE_ALLOWED = [
  'batch:DescribeJobQueues',
  'batch:DescribeJobDefinitions',
  'batch:ListJobs',
  'batch:DescribeJobs',
  'ssm:DescribeParameters',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];

const COMMON = [
  'batch:DescribeJobDefinitions',
  'batch:DescribeJobQueues',
  'batch:DescribeJobs',
  'batch:ListJobs',
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
  'events:PutEvents',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];
const EXPECTED_ACTIONS: Record<RoleId, string[]> = {
  OnChangeBatchRole: [
    ...COMMON,
    'batch:TagResource',
    'batch:TerminateJob',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'sqs:ReceiveMessage',
  ],
  OnSweepRole: [
    ...COMMON,
    'batch:TagResource',
    'batch:TerminateJob',
    'secretsmanager:DescribeSecret',
    'secretsmanager:ListSecretVersionIds',
    'ssm:DescribeParameters',
  ],
  OnJobStateChangeRole: [...COMMON, 'batch:TagResource', 'sqs:SendMessage'],
  OnReplayRole: [...COMMON, 'batch:TagResource', 'batch:TerminateJob'],
};

describe('serverless.yml IAM', () => {
  it('finds the statements to check (the walk is not vacuous)', () => {
    expect(roleStatements().length).toBeGreaterThan(20);
    expect(allStatements(template.Resources).length).toBeGreaterThan(20);
  });

  it.each(FORBIDDEN)('grants %s nowhere, not even through a wildcard', (forbidden) => {
    for (const statement of allStatements(template.Resources).filter((s) => s.Effect === 'Allow')) {
      for (const action of list(statement.Action)) {
        expect({ action, grantsForbidden: grants(action, forbidden) }).toEqual({ action, grantsForbidden: false });
      }
    }
  });

  it('never allows NotAction, NotResource or a bare * action', () => {
    for (const statement of allStatements(template.Resources).filter((s) => s.Effect === 'Allow')) {
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      for (const action of list(statement.Action)) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    }
  });

  it("allows only read-only actions (and X-Ray's upload) on Resource '*'", () => {
    for (const statement of roleStatements()) {
      if (!list(statement.Resource).includes('*')) continue;
      for (const action of list(statement.Action)) expect(STAR_RESOURCE_ALLOWED).toContain(action);
    }
  });

  it('gives each function its own role, assumed by Lambda only, and no other role exists', () => {
    const roles = resourcesOfType(template, 'AWS::IAM::Role');
    expect(Object.keys(roles).sort()).toEqual([...ROLES].sort());
    for (const role of Object.values(roles)) {
      const properties = role.Properties as {
        AssumeRolePolicyDocument: { Statement: unknown };
        ManagedPolicyArns?: unknown;
      };
      expect(properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
      ]);
      expect(properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const [fn, role] of Object.entries({
      OnChangeBatchLambdaFunction: 'OnChangeBatchRole',
      OnSweepLambdaFunction: 'OnSweepRole',
      OnJobStateChangeLambdaFunction: 'OnJobStateChangeRole',
      OnReplayLambdaFunction: 'OnReplayRole',
    })) {
      expect((template.Resources[fn].Properties as { Role: unknown }).Role).toEqual({ 'Fn::Sub': `\${${role}.Arn}` });
    }
  });

  it.each(ROLES)('grants %s exactly what its function does, and no SubmitJob by default', (role) => {
    const actions = [...new Set(statementsOf(role).flatMap((s) => list(s.Action)))].sort();
    expect(actions).toEqual([...EXPECTED_ACTIONS[role]].sort());
  });

  it.each(ROLES)('grants %s SubmitJob only on the named queues and definition revisions', (role) => {
    const parameters = { SubmitJobQueues: 'etl-*,reports', SubmitJobDefinitions: 'etl-loader:*' };
    const submit = statementsOf(role, parameters).filter((s) => list(s.Action).includes('batch:SubmitJob'));
    expect(submit).toHaveLength(1);
    expect(resourcesOf(submit[0], parameters)).toEqual([
      'arn:*:batch:us-east-2:*:job-queue/etl-*',
      'arn:*:batch:us-east-2:*:job-queue/reports',
      'arn:*:batch:us-east-2:*:job-definition/etl-loader:*',
    ]);
  });

  it.each(ROLES)('grants %s SubmitJob on queues and definitions carrying the opt-in tag, with a revision', (role) => {
    const parameters = { SubmitTagValue: 'yes' };
    const submit = statementsOf(role, parameters).filter((s) => list(s.Action).includes('batch:SubmitJob'));
    expect(submit.map((s) => [resourcesOf(s, parameters), s.Condition])).toEqual([
      [
        ['arn:aws:batch:us-east-2:123456789012:job-queue/*'],
        { StringEquals: { 'aws:ResourceTag/rotation-reactor:resubmittable': { Ref: 'SubmitTagValue' } } },
      ],
      [
        ['arn:aws:batch:us-east-2:123456789012:job-definition/*:*'],
        { StringEquals: { 'aws:ResourceTag/rotation-reactor:resubmittable': { Ref: 'SubmitTagValue' } } },
      ],
    ]);
  });

  it('sends the functions the scope IAM grants, so a resubmission IAM would deny is flagged, not failed', () => {
    const variables = (
      template.Resources.OnChangeBatchLambdaFunction.Properties as {
        Environment: { Variables: Record<string, unknown> };
      }
    ).Environment.Variables;
    expect(variables).toMatchObject({
      REACTOR_SUBMIT_QUEUES: { Ref: 'SubmitJobQueues' },
      REACTOR_SUBMIT_DEFINITIONS: { Ref: 'SubmitJobDefinitions' },
      REACTOR_SUBMIT_TAG: { 'Fn::Sub': `rotation-reactor:resubmittable=\${SubmitTagValue}` },
    });
  });

  const statementFor = (role: RoleId, action: string) => {
    const matching = statementsOf(role).filter((s) => list(s.Action).includes(action));
    expect(matching).toHaveLength(1);
    return matching[0];
  };
  const arnHere = (service: string, resource: string) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
  });

  it.each([
    ['OnChangeBatchRole', 'batch:TerminateJob'],
    ['OnChangeBatchRole', 'batch:TagResource'],
    ['OnJobStateChangeRole', 'batch:TagResource'],
  ] as const)('scopes %s %s to jobs of the account and region', (role, action) => {
    expect(statementFor(role, action).Resource).toEqual(arnHere('batch', 'job/*'));
  });

  it.each(ROLES)('lets %s put events only on the output bus, with the reactor as source', (role) => {
    const statement = statementFor(role, 'events:PutEvents');
    expect(statement.Resource).toEqual(arnHere('events', 'event-bus/default'));
    expect(statement.Condition).toEqual({ StringEquals: { 'events:source': 'rotation-reactor' } });
  });

  it.each(ROLES)('scopes the ledger actions of %s to the ledger table and its indexes', (role) => {
    for (const action of ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']) {
      expect(statementFor(role, action).Resource).toEqual([
        { 'Fn::GetAtt': ['LedgerTable', 'Arn'] },
        { 'Fn::Sub': `\${LedgerTable.Arn}/index/*` },
      ]);
    }
  });

  it('scopes the queue actions to the change queue and the job-state dead-letter queue', () => {
    expect(statementFor('OnChangeBatchRole', 'sqs:ReceiveMessage').Resource).toEqual({
      'Fn::GetAtt': ['ChangeQueue', 'Arn'],
    });
    expect(statementFor('OnJobStateChangeRole', 'sqs:SendMessage').Resource).toEqual({
      'Fn::GetAtt': ['JobStateDeadLetterQueue', 'Arn'],
    });
  });

  it('scopes secret metadata reads to the secrets of the account and region', () => {
    expect(statementFor('OnSweepRole', 'secretsmanager:DescribeSecret').Resource).toEqual(
      arnHere('secretsmanager', 'secret:*'),
    );
  });

  it('denies sending to the change queue and its DLQ to anyone but the change rules (and listed senders)', () => {
    const policy = template.Resources.ChangeQueuePolicy.Properties as { PolicyDocument: { Statement: Statement[] } };
    const deny = policy.PolicyDocument.Statement.find((s) => s.Effect === 'Deny');
    expect(deny).toMatchObject({ Principal: '*', Action: 'sqs:SendMessage' });
    const condition = deny?.Condition as Record<string, Record<string, unknown>>;
    expect(condition.ArnNotEquals['aws:SourceArn']).toEqual(
      (
        policy.PolicyDocument.Statement.find((s) => s.Effect === 'Allow')?.Condition as Record<
          string,
          Record<string, unknown>
        >
      ).ArnEquals['aws:SourceArn'],
    );
    expect(Object.keys(condition.ArnNotLike)).toEqual(['aws:PrincipalArn']);
  });
});

describe('grants (the wildcard matcher the checks rely on)', () => {
  it.each([
    ['secretsmanager:*', 'secretsmanager:GetSecretValue', true],
    ['ssm:Get*', 'ssm:GetParametersByPath', true],
    ['SSM:getparameter', 'ssm:GetParameter', true],
    ['kms:*crypt', 'kms:Decrypt', true],
    ['*', 'kms:Decrypt', true],
    ['ssm:DescribeParameters', 'ssm:GetParameter', false],
    ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', false],
  ])('%s grants %s: %s', (pattern, action, expected) => {
    expect(grants(pattern, action)).toBe(expected);
  });
});
