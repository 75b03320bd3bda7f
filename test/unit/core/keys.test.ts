import fc from 'fast-check';
import {
  parseChangeKey,
  parseLineageTag,
  parseSlotName,
  RESUBMIT,
  type SubjectKey,
  toChangeKey,
  toFlagSlot,
  toLineageTag,
  toSlotName,
  toSubjectKey,
} from '../../../lib/core/keys';
import { aChange, secret, T0 } from '../../support/builders';

describe('change keys', () => {
  it('reads back what it builds, labels with | included', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), (label, changedAt) => {
        const change = aChange({
          resource: secret('prod/db-AbCdEf'),
          effect: { kind: 'label-moved', label },
          changedAt,
        });
        const parsed = parseChangeKey(toChangeKey(change));
        expect(parsed).toEqual({
          subject: toSubjectKey(change),
          resource: 'secret:aws:us-east-2:123456789012:prod/db-AbCdEf',
          effect: `label-moved:${label}`,
          changedAt,
        });
      }),
    );
  });

  it.each(['', 'no-bar', 'a|b', 'a|b|not-a-time'])('refuses %j', (key) => {
    expect(parseChangeKey(key)).toBeUndefined();
  });
});

describe('ledger slots', () => {
  it.each([
    [RESUBMIT, 'resubmit'],
    [toFlagSlot('ssm:aws:r:1:p|value-changed' as SubjectKey), 'flag#ssm:aws:r:1:p|value-changed'],
  ])('names %j %s and reads it back', (slot, name) => {
    expect(toSlotName(slot)).toBe(name);
    expect(parseSlotName(name)).toEqual(slot);
  });

  it.each(['control', 'budget', 'flag#', ''])('does not read %j as a job slot', (name) => {
    expect(parseSlotName(name)).toBeUndefined();
  });
});

describe('lineage tags', () => {
  it.each([
    [{ replaces: 'job-1', answers: T0 }, 'job-1@2026-11-28T12:00:00.000Z'],
    [{ replaces: 'job-1' }, 'job-1'],
  ])('writes %j as %s (one tag, at most 256 characters) and reads it back', (lineage, value) => {
    expect(toLineageTag(lineage)).toBe(value);
    expect(parseLineageTag(value)).toEqual(lineage);
  });

  it.each([undefined, '', '@2026-11-28T12:00:00.000Z', 'job@not-a-time'])('refuses %j', (value) => {
    expect(parseLineageTag(value)).toBeUndefined();
  });
});
