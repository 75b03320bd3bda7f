import { coalesceChanges } from '../../../lib/core/coalesce';
import { toChangeKey } from '../../../lib/core/keys';
import { aChange, MINUTE, secret, ssm, T0 } from '../../support/builders';

describe('coalesceChanges', () => {
  it('keeps the newest change per resource and effect', () => {
    const changes = [0, 3, 1].map((m) => aChange({ changedAt: T0 + m * MINUTE }));
    expect(coalesceChanges(changes)).toEqual([changes[1]]);
  });

  it('treats a bare name and a leading-slash name as one resource', () => {
    const changes = [aChange({ resource: ssm('p') }), aChange({ resource: ssm('/p'), changedAt: T0 + 1 })];
    expect(coalesceChanges(changes)).toHaveLength(1);
  });

  it('keeps different effects and resources apart and drops changes without effect', () => {
    const changes = [
      aChange(),
      aChange({ effect: { kind: 'deleted' } }),
      aChange({ effect: { kind: 'label-moved', label: 'prod' } }),
      aChange({ resource: secret('s-AbCdEf') }),
      aChange({ effect: { kind: 'none', why: 'notification' } }),
    ];
    expect(coalesceChanges(changes)).toHaveLength(4);
  });
});

describe('toChangeKey', () => {
  it('is the same for duplicate deliveries and differs by time', () => {
    expect(toChangeKey(aChange())).toBe(toChangeKey(aChange({ eventId: 'other' })));
    expect(toChangeKey(aChange())).not.toBe(toChangeKey(aChange({ changedAt: T0 + 1000 })));
  });
});
