import { type CfnTemplate, loadPackagedService } from '../../support/serverless-template';

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

const roleStatements = () => {
  const role = template.Resources.IamRoleLambdaExecution;
  const policies = (role.Properties as { Policies: { PolicyDocument: { Statement: Statement[] } }[] }).Policies;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
};

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
// segment upload (added by osls for `tracing.lambda`; X-Ray has no resource-level permissions either).
const STAR_RESOURCE_ALLOWED = [
  'batch:DescribeJobQueues',
  'batch:DescribeJobDefinitions',
  'batch:ListJobs',
  'batch:DescribeJobs',
  'ssm:DescribeParameters',
  'secretsmanager:ListSecrets',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];

describe('serverless.yml IAM', () => {
  it('finds the statements to check (the walk is not vacuous)', () => {
    expect(roleStatements().length).toBeGreaterThan(5);
    expect(allStatements(template.Resources).length).toBeGreaterThan(roleStatements().length);
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

  it('grants the role exactly the actions the reactor uses', () => {
    const actions = [...new Set(roleStatements().flatMap((s) => list(s.Action)))].sort();
    expect(actions).toEqual(
      [
        'batch:DescribeJobDefinitions',
        'batch:DescribeJobQueues',
        'batch:DescribeJobs',
        'batch:ListJobs',
        'batch:SubmitJob',
        'batch:TagResource',
        'batch:TerminateJob',
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:TagResource',
        'secretsmanager:DescribeSecret',
        'secretsmanager:ListSecretVersionIds',
        'secretsmanager:ListSecrets',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
        'ssm:DescribeParameters',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  const statementFor = (action: string) => {
    const matching = roleStatements().filter((s) => list(s.Action).includes(action));
    expect(matching).toHaveLength(1);
    return matching[0];
  };
  const arnHere = (service: string, resource: string) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
  });

  it('scopes SubmitJob to the configured job queue and job definition patterns', () => {
    expect(statementFor('batch:SubmitJob').Resource).toEqual([
      arnHere('batch', 'job-queue/*'),
      arnHere('batch', 'job-definition/*'),
    ]);
  });

  it.each(['batch:TerminateJob', 'batch:TagResource'])('scopes %s to jobs of the account and region', (action) => {
    expect(statementFor(action).Resource).toEqual(arnHere('batch', 'job/*'));
  });

  it('scopes PutEvents to the output bus', () => {
    expect(statementFor('events:PutEvents').Resource).toEqual(arnHere('events', 'event-bus/default'));
  });

  it.each([
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'dynamodb:Query',
    'dynamodb:BatchGetItem',
  ])('scopes %s to the ledger table and its indexes', (action) => {
    expect(statementFor(action).Resource).toEqual([
      { 'Fn::GetAtt': ['LedgerTable', 'Arn'] },
      { 'Fn::Sub': `\${LedgerTable.Arn}/index/*` },
    ]);
  });

  it('scopes the queue actions to the change queue and the job-state dead-letter queue', () => {
    expect(statementFor('sqs:ReceiveMessage').Resource).toEqual([{ 'Fn::GetAtt': ['ChangeQueue', 'Arn'] }]);
    expect(statementFor('sqs:SendMessage').Resource).toEqual({ 'Fn::GetAtt': ['JobStateDeadLetterQueue', 'Arn'] });
  });

  it('scopes secret metadata reads to secrets', () => {
    expect(statementFor('secretsmanager:DescribeSecret').Resource).toEqual({
      'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:*:*:secret:*`,
    });
  });

  it('has one execution role, assumed by Lambda only', () => {
    const roles = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles).toHaveLength(1);
    const role = roles[0].Properties as {
      AssumeRolePolicyDocument: { Statement: unknown };
      ManagedPolicyArns?: unknown;
    };
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
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
