import { isSubmitAllowed } from '../../../lib/core/submit-scope';

const queue = (name: string, tags?: Record<string, string>) => ({
  ref: `arn:aws:batch:us-east-2:123456789012:job-queue/${name}`,
  tags,
});
const definition = (name: string, tags?: Record<string, string>) => ({
  ref: `arn:aws:batch:us-east-2:123456789012:job-definition/${name}`,
  tags,
});
const TAG = { key: 'rotation-reactor:resubmittable', value: 'yes' };

describe('isSubmitAllowed', () => {
  it.each([
    ['anything without a scope', undefined, queue('q'), definition('d:1'), true],
    ['nothing with an empty scope', { queues: [], definitions: [] }, queue('q'), definition('d:1'), false],
    ['a named queue and revision', { queues: ['q'], definitions: ['d:1'] }, queue('q'), definition('d:1'), true],
    ['IAM wildcards', { queues: ['etl-*'], definitions: ['etl-?:*'] }, queue('etl-a'), definition('etl-b:7'), true],
    [
      'not a prefix without a wildcard',
      { queues: ['etl'], definitions: ['*'] },
      queue('etl-a'),
      definition('d:1'),
      false,
    ],
    ['regex characters literally', { queues: ['a.b'], definitions: ['*'] }, queue('aXb'), definition('d:1'), false],
    [
      'a tagged queue and definition',
      { queues: [], definitions: [], tag: TAG },
      queue('q', { [TAG.key]: 'yes' }),
      definition('d:1', { [TAG.key]: 'yes' }),
      true,
    ],
    [
      'a tag with another value',
      { queues: [], definitions: [], tag: TAG },
      queue('q', { [TAG.key]: 'no' }),
      definition('d:1', { [TAG.key]: 'yes' }),
      false,
    ],
    [
      'a named queue and a tagged definition',
      { queues: ['q'], definitions: [], tag: TAG },
      queue('q'),
      definition('d:1', { [TAG.key]: 'yes' }),
      true,
    ],
  ])('allows %s: %j', (_name, scope, q, d, expected) => {
    expect(isSubmitAllowed(scope, q, d)).toBe(expected);
  });
});
