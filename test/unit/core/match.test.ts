import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { type Change, type Effect, parseChange } from '../../../lib/core/change';
import { type LocatedReference, toDefinitionReferences } from '../../../lib/core/locations';
import { createReferenceIndex, readsWhatMoved } from '../../../lib/core/match';
import {
  namesResource,
  parseReference,
  type Resource,
  type SecretReference,
  type SsmReference,
  toNamedBy,
} from '../../../lib/core/reference';
import { aChange, aDefinition, HOME, named, secret, ssm } from '../../support/builders';

const ARN = 'arn:aws:secretsmanager:us-east-2:123456789012:secret';
const ref = (valueFrom: string) => parseReference(valueFrom, HOME) as SsmReference | SecretReference;
const valueChanged: Effect = { kind: 'value-changed' };
const labelMoved = (label: string): Effect => ({ kind: 'label-moved', label });

describe('readsWhatMoved', () => {
  it.each([
    ['an unpinned parameter', '/p', valueChanged, true],
    ['a version-pinned parameter', '/p:3', valueChanged, false],
    ['a label-pinned parameter', '/p:prod', valueChanged, false],
    ['a label-pinned parameter when that label moves', '/p:prod', labelMoved('prod'), true],
    ['a label-pinned parameter when another label moves', '/p:prod', labelMoved('dev'), false],
    ['an unpinned parameter when a label moves', '/p', labelMoved('prod'), false],
    ['an unpinned secret', `${ARN}:s-AbCdEf`, valueChanged, true],
    ['a json-key secret', `${ARN}:s-AbCdEf:user::`, valueChanged, true],
    ['an AWSCURRENT-pinned secret', `${ARN}:s-AbCdEf::AWSCURRENT:`, valueChanged, true],
    [
      'an AWSPREVIOUS-pinned secret (AWSPREVIOUS follows AWSCURRENT)',
      `${ARN}:s-AbCdEf::AWSPREVIOUS:`,
      valueChanged,
      true,
    ],
    ['a custom-stage-pinned secret', `${ARN}:s-AbCdEf::BLUE:`, valueChanged, false],
    ['a version-id-pinned secret', `${ARN}:s-AbCdEf:::9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE`, valueChanged, false],
    ['a stage-pinned secret when that stage moves', `${ARN}:s-AbCdEf::BLUE:`, labelMoved('BLUE'), true],
    ['an unpinned secret when a custom stage moves', `${ARN}:s-AbCdEf`, labelMoved('BLUE'), false],
    ['a version-pinned parameter when it is deleted', '/p:3', { kind: 'deleted' } as Effect, true],
    ['anything for a change without effect', '/p', { kind: 'none', why: 'metadata' } as Effect, false],
  ])('decides %s', (_name, valueFrom, effect, expected) => {
    expect(readsWhatMoved(ref(valueFrom), effect)).toBe(expected);
  });
});

describe('createReferenceIndex', () => {
  it('finds every reference naming the changed resource, marking pinned ones', () => {
    const definition = aDefinition([
      `${ARN}:prod/db`,
      `${ARN}:prod/db-AbCdEf::BLUE:`,
      `${ARN}:prod/db2-AbCdEf`,
      '/prod/db',
    ]);
    const index = createReferenceIndex([['etl:1', toDefinitionReferences(definition, HOME)]]);
    const hits = index.hitsOf(aChange({ resource: secret('prod/db-AbCdEf') }));
    expect(hits.map((h) => [h.located.location, h.reads, h.by]).sort()).toEqual([
      ['containerProperties.secrets[0]', true, 'name'],
      ['containerProperties.secrets[1]', false, 'arn'],
    ]);
  });

  // Published DeleteSecret record (awsdocs/aws-secrets-manager-docs doc_source/monitoring.md
  // @2d398a5d129306bd6c90c4cf5b2f2d518c023798), as events/secretsmanager/cloudtrail.delete-secret-by-name.json.
  const deleteSecret = JSON.parse(
    readFileSync(join(__dirname, '../../../events/secretsmanager/cloudtrail.delete-secret-by-name.json'), 'utf8'),
  );
  const changeOf = (event: unknown): Change => {
    const parsed = parseChange(event);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.changes[0];
  };
  const SM = 'arn:aws:secretsmanager:us-east-2:123456789012:secret';
  const fleet = createReferenceIndex([
    [
      'etl:1',
      toDefinitionReferences(
        aDefinition([
          `${SM}:MyDatabaseSecret-a1b2c3`,
          `${SM}:MyDatabaseSecret-ZzZzZz`,
          `${SM}:MyDatabaseSecret`,
          '/aws/reference/secretsmanager/MyDatabaseSecret',
          '/aws/reference/secretsmanager/MyDatabaseSecret-prod01',
          `${SM}:MyDatabaseSecret2-a1b2c3`,
        ]),
        HOME,
      ),
    ],
  ]);
  const hitsOf = (change: Change) =>
    fleet
      .hitsOf(change)
      .map((h) => [h.located.reference.valueFrom, h.by])
      .sort();

  it.each<[string, unknown, [string, string][]]>([
    [
      'the published record (bare secretId, complete aRN in the response): exact for the complete ARN',
      deleteSecret,
      [
        ['/aws/reference/secretsmanager/MyDatabaseSecret', 'name'],
        [`${SM}:MyDatabaseSecret`, 'name'],
        [`${SM}:MyDatabaseSecret-a1b2c3`, 'arn'],
      ],
    ],
    [
      'the same record without its response: by name only, every secret of that name (a re-created one too)',
      { ...deleteSecret, detail: { ...deleteSecret.detail, responseElements: null } },
      [
        ['/aws/reference/secretsmanager/MyDatabaseSecret', 'name'],
        [`${SM}:MyDatabaseSecret`, 'name'],
        [`${SM}:MyDatabaseSecret-ZzZzZz`, 'name'],
        [`${SM}:MyDatabaseSecret-a1b2c3`, 'name'],
      ],
    ],
  ])('matches a DeleteSecret event: %s', (_name, event, expected) => {
    expect(hitsOf(changeOf(event))).toEqual(expected);
  });

  it('never lets an event naming billing reach the secret named billing-prod01', () => {
    const index = createReferenceIndex([
      [
        'billing:1',
        toDefinitionReferences(
          aDefinition(['/aws/reference/secretsmanager/billing-prod01', `${SM}:billing-prod01-Qw12Er`, `${SM}:billing`]),
          HOME,
        ),
      ],
    ]);
    const hits = index.hitsOf(aChange({ resource: named('billing'), effect: { kind: 'deleted' } }));
    expect(hits.map((h) => [h.located.reference.valueFrom, h.by])).toEqual([[`${SM}:billing`, 'name']]);
  });

  it('finds exactly the references a scan with toNamedBy finds, with the same basis', () => {
    const name = fc.constantFrom('db', 'db2', 'db-prod01', 'app-config', 'app');
    const tail = fc.constantFrom('', '-AbCdEf', '-ZzZzZz', '-prod01');
    const valueFrom = fc
      .tuple(fc.constantFrom('arn', 'bare', 'ssm'), name, tail)
      .map(([form, n, t]) =>
        form === 'arn' ? `${SM}:${n}${t}` : form === 'bare' ? `/aws/reference/secretsmanager/${n}${t}` : `/${n}${t}`,
      );
    const resource = fc
      .tuple(fc.constantFrom('complete', 'typed', 'bare', 'ssm'), name, tail)
      .map(
        ([form, n, t]): Resource =>
          form === 'complete'
            ? secret(`${n}${t || '-AbCdEf'}`, true)
            : form === 'typed'
              ? secret(`${n}${t}`, false)
              : form === 'bare'
                ? named(`${n}${t}`)
                : ssm(`/${n}${t}`),
      );
    fc.assert(
      fc.property(fc.array(valueFrom, { maxLength: 8 }), resource, (values, changed) => {
        const located: LocatedReference[] = toDefinitionReferences(aDefinition(values), HOME);
        const index = createReferenceIndex([['etl:1', located]]);
        const found = index
          .hitsOf(aChange({ resource: changed }))
          .map((h) => `${h.located.location} ${h.by}`)
          .sort();
        const scanned = located
          .flatMap(({ location, reference }) => {
            if (reference.kind === 'invalid' || !namesResource(reference, changed)) return [];
            return [`${location} ${toNamedBy(reference, changed)}`];
          })
          .sort();
        expect(found).toEqual(scanned);
      }),
    );
  });

  it('ignores invalid references', () => {
    const index = createReferenceIndex([['etl:1', toDefinitionReferences(aDefinition(['', 'arn:aws:s3:::x']), HOME)]]);
    expect(index.hitsOf(aChange())).toEqual([]);
  });
});
