import fc from 'fast-check';
import {
  namesResource,
  parseReference,
  type Reference,
  type Resource,
  type SecretReference,
  type SsmReference,
  toIndexKeys,
  toLookupKeys,
  toNamedBy,
  toResourceArn,
} from '../../../lib/core/reference';
import { HOME, named, secret, ssm } from '../../support/builders';

const ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret';
const valid = (r: Reference) => {
  if (r.kind === 'invalid') throw new Error(`expected a valid reference, got: ${r.reason}`);
  return r;
};
const ref = (valueFrom: string) => valid(parseReference(valueFrom, HOME)) as SsmReference | SecretReference;
/** A secret id as a caller typed it in an event (`requestParameters.secretId` as an ARN): complete or partial. */
const typed = (secretId: string) => secret(secretId, false);

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
      { kind: 'secret', via: 'parameter-store', secretId: 'prod/db', region: 'us-east-2', bareName: true },
    ],
    [
      'secret ARN through Parameter Store (not a bare name)',
      `/aws/reference/secretsmanager/${ARN}:prod/db-AbCdEf`,
      { kind: 'secret', via: 'parameter-store', secretId: 'prod/db-AbCdEf' },
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

const six = fc.stringMatching(/^[A-Za-z0-9]{6}$/);
/** Every form that names the secret called `name` whose complete ARN ends in `-suffix`, as a reference. */
const referencesTo = (name: string, suffix: string) => [
  `${ARN}:${name}-${suffix}`,
  `${ARN}:${name}-${suffix}:key::`,
  `/aws/reference/secretsmanager/${name}`,
];
/** Every form an event names that secret in, the caller-typed ARN aside (it may be read as complete). */
const eventsFor = (name: string, suffix: string): Resource[] => [secret(`${name}-${suffix}`, true), named(name)];

describe('toNamedBy', () => {
  it.each<[string, string, Resource, 'arn' | 'name' | undefined]>([
    ['the same complete ARN', `${ARN}:prod/db-AbCdEf`, secret('prod/db-AbCdEf', true), 'arn'],
    ['the same ARN as a caller typed it', `${ARN}:prod/db-AbCdEf`, typed('prod/db-AbCdEf'), 'arn'],
    ['a complete ARN and an event naming the secret only', `${ARN}:prod/db-AbCdEf`, named('prod/db'), 'name'],
    ['a partial ARN and the complete ARN of an event', `${ARN}:prod/db`, secret('prod/db-AbCdEf', true), 'name'],
    ['a partial ARN and a re-created secret (by name)', `${ARN}:prod/db`, secret('prod/db-ZzZzZz', true), 'name'],
    ['a complete ARN and a re-created secret', `${ARN}:prod/db-AbCdEf`, secret('prod/db-ZzZzZz', true), undefined],
    ['a bare name and an event naming it', '/aws/reference/secretsmanager/prod/db', named('prod/db'), 'name'],
    // The false positives of issue 10 (item 9): a bare name is exactly a name.
    [
      'bare billing-prod01 and an event naming billing',
      '/aws/reference/secretsmanager/billing-prod01',
      named('billing'),
      undefined,
    ],
    ['partial billing and an event naming billing-prod01', `${ARN}:billing`, named('billing-prod01'), undefined],
    [
      'bare billing-prod01 and the complete ARN of billing',
      '/aws/reference/secretsmanager/billing-prod01',
      secret('billing-prod01', true),
      undefined,
    ],
    [
      'bare billing-prod01 and its own complete ARN',
      '/aws/reference/secretsmanager/billing-prod01',
      secret('billing-prod01-Qw12Er', true),
      'name',
    ],
    [
      'complete billing-prod01 and an event naming billing',
      `${ARN}:billing-prod01-Qw12Er`,
      named('billing'),
      undefined,
    ],
    // An ARN typed with a 6-character tail is what Secrets Manager takes for a complete ARN: kept both ways.
    [
      'the ARN billing-prod01 (complete for billing?) and an event naming billing',
      `${ARN}:billing-prod01`,
      named('billing'),
      'name',
    ],
    [
      'the ARN app-config (partial for app-config?) and its complete ARN',
      `${ARN}:app-config`,
      secret('app-config-AbCdEf', true),
      'name',
    ],
    ['a parameter', '/prod/db/password', ssm('prod/db/password'), 'arn'],
  ])('decides %s', (_name, valueFrom, resource, expected) => {
    expect(toNamedBy(ref(valueFrom), resource)).toBe(expected);
  });

  it('matches a complete ARN and a partial ARN of the same secret to the same events', () => {
    fc.assert(
      fc.property(secretName, six, (name, suffix) => {
        const complete = ref(`${ARN}:${name}-${suffix}`);
        const partial = ref(`${ARN}:${name}`);
        const events = [...eventsFor(name, suffix), typed(`${name}-${suffix}`), typed(name)];
        for (const event of events) {
          expect([namesResource(complete, event), namesResource(partial, event)]).toEqual([true, true]);
        }
        // The suffix tells a re-created secret apart: only the name-based partial ARN reaches it.
        expect(toNamedBy(complete, secret(`${name}-${suffix}`, true))).toBe('arn');
        expect(toNamedBy(partial, secret(`${name}-${suffix}`, true))).toBe('name');
      }),
    );
  });

  it('never matches a secret whose name only extends another by a suffix-like tail (billing vs billing-prod01)', () => {
    fc.assert(
      fc.property(secretName, six, six, six, (name, tail, s1, s2) => {
        // `${ARN}:a-caller` is both the complete ARN of `a` and the partial ARN of `a-caller`: ambiguous by nature.
        fc.pre(tail !== s1);
        const longer = `${name}-${tail}`;
        const refsToShort = [...referencesTo(name, s1), ...(toSuffixless(name) ? [`${ARN}:${name}`] : [])];
        for (const valueFrom of refsToShort) {
          for (const event of eventsFor(longer, s2)) expect(namesResource(ref(valueFrom), event)).toBe(false);
        }
        for (const valueFrom of [`${ARN}:${longer}-${s2}`, `/aws/reference/secretsmanager/${longer}`]) {
          for (const event of eventsFor(name, s1)) expect(namesResource(ref(valueFrom), event)).toBe(false);
        }
      }),
    );
  });

  it('matches a bare name that ends like a suffix to events for exactly that name', () => {
    fc.assert(
      fc.property(secretName, six, six, (name, tail, suffix) => {
        const bare = ref(`/aws/reference/secretsmanager/${name}-${tail}`);
        for (const event of [
          named(`${name}-${tail}`),
          secret(`${name}-${tail}-${suffix}`, true),
          typed(`${name}-${tail}`),
        ]) {
          expect(toNamedBy(bare, event)).toBe('name');
        }
        // Not the secret `name` (whose complete ARN would end in `-tail`), whichever way the event names it.
        for (const event of [named(name), secret(`${name}-${tail}`, true)])
          expect(toNamedBy(bare, event)).toBeUndefined();
      }),
    );
  });
});

/** True when a name could not be mistaken for a complete ARN's id. */
function toSuffixless(name: string): boolean {
  return !/-[A-Za-z0-9]{6}$/.test(name);
}

describe('toIndexKeys', () => {
  it('shares a key with the lookup keys of every resource the reference names', () => {
    const form = fc.constantFrom('complete', 'partial', 'bare');
    fc.assert(
      fc.property(secretName, suffix, form, fc.boolean(), (name, six, how, tailed) => {
        const base = tailed ? `${name}-${six}` : name;
        const valueFrom =
          how === 'bare'
            ? `/aws/reference/secretsmanager/${base}`
            : `${ARN}:${how === 'complete' ? `${base}-${six}` : base}`;
        const reference = valid(parseReference(valueFrom, HOME)) as SecretReference;
        const keys = new Set(toIndexKeys(reference));
        return [
          secret(`${base}-${six}`, true),
          secret(`${name}-${six}`, true),
          secret(base, false),
          named(base),
          named(name),
        ]
          .filter((resource) => namesResource(reference, resource))
          .every((resource) => toLookupKeys(resource).some((key) => keys.has(key)));
      }),
    );
  });
});
