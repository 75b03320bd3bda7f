import { POLICY_TAG, resolvePolicy } from '../../../lib/core/policy';

const tag = (value: string) => ({ [POLICY_TAG]: value });

describe('resolvePolicy', () => {
  it.each([
    ['job tags first', { job: tag('resubmit'), definition: tag('ignore'), queue: tag('flag') }, 'resubmit', 'job'],
    ['then definition tags', { definition: tag('ignore'), queue: tag('resubmit') }, 'ignore', 'definition'],
    ['then queue tags', { queue: tag('resubmit-on-failure') }, 'resubmit-on-failure', 'queue'],
    ['then the default', {}, 'flag', 'default'],
    ['values case-insensitively', { job: tag(' Resubmit ') }, 'resubmit', 'job'],
    ['past an invalid value', { job: tag('restart'), queue: tag('ignore') }, 'ignore', 'queue'],
  ])('reads %s', (_name, tags, policy, source) => {
    expect(resolvePolicy(tags, 'flag')).toMatchObject({ policy, source });
  });

  it('reports an invalid tag value', () => {
    expect(resolvePolicy({ job: tag('restart') }, 'flag').invalid).toEqual([
      'job tag rotation-reactor:policy="restart" is not one of flag, resubmit, resubmit-on-failure, ignore',
    ]);
  });
});
