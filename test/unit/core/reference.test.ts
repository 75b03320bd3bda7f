import fc from 'fast-check';
import {
  namesResource,
  parseReference,
  type Reference,
  type SecretReference,
  type SsmReference,
  toIndexKeys,
  toLookupKeys,
  toResourceArn,
} from '../../../lib/core/reference';
import { HOME, secret, ssm } from '../../support/builders';

const ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret';
const valid = (r: Reference) => {
  if (r.kind === 'invalid') throw new Error(`expected a valid reference, got: ${r.reason}`);
  return r;
};

describe('parseReference', () => {
  it.each([
    ['bare name', 'MyParam', { kind: 'ssm', name: 'MyParam', region: 'us-east-2', account: '123456789012' }],
    ['bare name with leading slash', '/MyParam', { kind: 'ssm', name: 'MyParam' }],
    ['hierarchical bare name', '/prod/db/password', { kind: 'ssm', name: 'prod/db/password' }],
    [
      'hierarchical ARN (no double slash)',
      'arn:aws:ssm:us-east-2:123456789012:parameter/prod/db/password',
      { kind: 'ssm', name: 'prod/db/password' },
    ],
    [
      'cross-region ARN',
      'arn:aws:ssm:eu-west-1:123456789012:parameter/shared/key',
      { kind: 'ssm', region: 'eu-west-1', name: 'shared/key' },
    ],
    [
      'cross-account ARN',
      'arn:aws:ssm:us-east-2:210987654321:parameter/shared/key',
      { kind: 'ssm', account: '210987654321', name: 'shared/key' },
    ],
    [
      'GovCloud ARN',
      'arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/p',
      { partition: 'aws-us-gov', name: 'p' },
    ],
    ['version selector', '/prod/db/password:3', { kind: 'ssm', selector: { kind: 'version', version: 3 } }],
    ['label selector', '/prod/api/key:prod', { kind: 'ssm', selector: { kind: 'label', label: 'prod' } }],
    [
      'ARN with label selector',
      'arn:aws:ssm:us-east-2:123456789012:parameter/prod/api/key:blue',
      { kind: 'ssm', name: 'prod/api/key', selector: { kind: 'label', label: 'blue' } },
    ],
    [
      'complete secret ARN',
      `${ARN}:prod/db-AbCdEf`,
      { kind: 'secret', secretId: 'prod/db-AbCdEf', via: 'secretsmanager' },
    ],
    ['partial secret ARN', `${ARN}:prod/db`, { kind: 'secret', secretId: 'prod/db' }],
    ['json key only', `${ARN}:prod/db-AbCdEf:username::`, { secretId: 'prod/db-AbCdEf', jsonKey: 'username' }],
    ['version stage only', `${ARN}:prod/db-AbCdEf::AWSPREVIOUS:`, { versionStage: 'AWSPREVIOUS' }],
    [
      'json key and version id',
      `${ARN}:prod/db-AbCdEf:username::9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE`,
      { jsonKey: 'username', versionId: '9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE' },
    ],
    ['all three empty', `${ARN}:prod/db-AbCdEf:::`, { kind: 'secret', secretId: 'prod/db-AbCdEf' }],
    [
      'secret through Parameter Store',
      '/aws/reference/secretsmanager/prod/db',
      { kind: 'secret', via: 'parameter-store', secretId: 'prod/db', region: 'us-east-2' },
    ],
    [
      'secret through Parameter Store with a stage',
      '/aws/reference/secretsmanager/prod/db:AWSPREVIOUS',
      { kind: 'secret', via: 'parameter-store', versionStage: 'AWSPREVIOUS' },
    ],
  ])('parses a %s', (_name, valueFrom, expected) => {
    expect(parseReference(valueFrom, HOME)).toMatchObject({ valueFrom, ...expected });
  });

  it.each([
    ['empty', ''],
    ['six-part secret ARN (missing colons)', `${ARN}:prod/db-AbCdEf:username`],
    ['stage and version id together', `${ARN}:prod/db-AbCdEf::AWSCURRENT:9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE`],
    ['an S3 ARN', 'arn:aws:s3:::bucket/key'],
    ['two SSM selectors', '/a/b:1:2'],
    ['an empty SSM selector', '/a/b:'],
    ['spaces in a name', 'my param'],
  ])('keeps %s as an invalid reference with a reason', (_name, valueFrom) => {
    const reference = parseReference(valueFrom, HOME);
    expect(reference).toMatchObject({ kind: 'invalid', valueFrom });
    expect(reference.kind === 'invalid' && reference.reason.length).toBeGreaterThan(0);
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string(), (text) => typeof parseReference(text, HOME).kind === 'string'));
  });
});

const ssmName = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}(\/[A-Za-z0-9_.-]{1,12}){0,3}$/);
const secretName = fc.stringMatching(/^[A-Za-z0-9_+=.@-]{1,10}(\/[A-Za-z0-9_+=.@-]{1,10}){0,2}$/);
const suffix = fc.stringMatching(/^[A-Za-z0-9]{6}$/);

describe('namesResource', () => {
  it('treats a bare name, a leading-slash name and the ARN of one parameter as the same resource', () => {
    fc.assert(
      fc.property(ssmName, (name) => {
        const resource = ssm(name);
        const forms = [name, `/${name}`, toResourceArn(resource)];
        return forms.every((form) => namesResource(valid(parseReference(form, HOME)) as SsmReference, resource));
      }),
    );
  });

  it('never matches a parameter whose name only shares a prefix', () => {
    fc.assert(
      fc.property(ssmName, fc.stringMatching(/^[A-Za-z0-9_./-]{1,6}$/), (name, extra) => {
        const reference = valid(parseReference(`/${name}${extra}`, HOME)) as SsmReference;
        return (
          !namesResource(reference, ssm(`/${name}`)) &&
          !namesResource(valid(parseReference(name, HOME)) as SsmReference, ssm(`/${name}${extra}`))
        );
      }),
    );
  });

  it('matches a partial secret ARN, a complete one and the secret name to the complete ARN of an event', () => {
    fc.assert(
      fc.property(secretName, suffix, (name, six) => {
        const changed = secret(`${name}-${six}`, true);
        return [
          `${ARN}:${name}`,
          `${ARN}:${name}-${six}`,
          `${ARN}:${name}-${six}:key::`,
          `/aws/reference/secretsmanager/${name}`,
        ].every((form) => namesResource(valid(parseReference(form, HOME)) as SecretReference, changed));
      }),
    );
  });

  it('never matches a secret whose name only shares a prefix (prod/db vs prod/db2-… or prod)', () => {
    fc.assert(
      fc.property(secretName, fc.stringMatching(/^[A-Za-z0-9]{1,4}$/), suffix, (name, extra, six) => {
        const reference = valid(parseReference(`${ARN}:${name}`, HOME)) as SecretReference;
        const longer = valid(parseReference(`${ARN}:${name}${extra}-${six}`, HOME)) as SecretReference;
        return (
          !namesResource(reference, secret(`${name}${extra}-${six}`)) &&
          !namesResource(longer, secret(`${name}-${six}`))
        );
      }),
    );
  });

  it.each([
    ['a re-created secret (other suffix)', `${ARN}:prod/db-AbCdEf`, secret('prod/db-ZzZzZz', true), false],
    ['a complete reference to an event naming the secret', `${ARN}:prod/db-AbCdEf`, secret('prod/db', false), true],
    ['a name that itself ends like a suffix', `${ARN}:app-config`, secret('app-config-AbCdEf', true), true],
    ['another region', `${ARN}:prod/db`, secret('prod/db-AbCdEf', true, { region: 'eu-west-1' }), false],
    ['another account', `${ARN}:prod/db`, secret('prod/db-AbCdEf', true, { account: '999999999999' }), false],
    ['a bare SSM name from another region', 'prod/db', ssm('/prod/db', { region: 'eu-west-1' }), false],
    ['an SSM parameter named like a secret', '/prod/db', secret('prod/db-AbCdEf'), false],
  ])('decides %s', (_name, valueFrom, resource, expected) => {
    expect(namesResource(valid(parseReference(valueFrom, HOME)) as SsmReference | SecretReference, resource)).toBe(
      expected,
    );
  });
});

describe('toIndexKeys', () => {
  it('shares a key with the lookup keys of every resource the reference names', () => {
    fc.assert(
      fc.property(secretName, suffix, fc.boolean(), (name, six, partial) => {
        const reference = valid(parseReference(`${ARN}:${partial ? name : `${name}-${six}`}`, HOME)) as SecretReference;
        const keys = new Set(toIndexKeys(reference));
        return [secret(`${name}-${six}`, true), secret(name, false)]
          .filter((resource) => namesResource(reference, resource))
          .every((resource) => toLookupKeys(resource).some((key) => keys.has(key)));
      }),
    );
  });
});
