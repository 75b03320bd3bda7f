import type { Effect } from '../../../lib/core/change';
import { toDefinitionReferences } from '../../../lib/core/locations';
import { createReferenceIndex, readsWhatMoved } from '../../../lib/core/match';
import { parseReference, type SecretReference, type SsmReference } from '../../../lib/core/reference';
import { aChange, aDefinition, HOME, secret } from '../../support/builders';

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
    expect(hits.map((h) => [h.located.location, h.reads])).toEqual([
      ['containerProperties.secrets[1]', false],
      ['containerProperties.secrets[0]', true],
    ]);
  });

  it('ignores invalid references', () => {
    const index = createReferenceIndex([['etl:1', toDefinitionReferences(aDefinition(['', 'arn:aws:s3:::x']), HOME)]]);
    expect(index.hitsOf(aChange())).toEqual([]);
  });
});
