import { toPausedReason, toRunControl } from '../../../lib/core/control';

const defaults = { paused: false, mode: 'apply' as const, maxResubmitsPerChange: 25 };
const T = Date.parse('2026-12-01T10:00:00Z');

describe('toRunControl', () => {
  it.each([
    ['no record: the deployment defaults', undefined, defaults],
    ['a pause', { paused: true, updatedAt: T, updatedBy: 'ops' }, { ...defaults, paused: true }],
    ['dry-run on', { dryRun: true, updatedAt: T, updatedBy: 'ops' }, { ...defaults, mode: 'dry-run' }],
    ['dry-run off over a dry-run deployment', { dryRun: false, updatedAt: T, updatedBy: 'ops' }, defaults],
    [
      'a raised cap',
      { maxResubmitsPerChange: 100, updatedAt: T, updatedBy: 'ops' },
      { ...defaults, maxResubmitsPerChange: 100 },
    ],
  ])('applies %s', (_name, record, expected) => {
    const base = _name.includes('over a dry-run') ? { ...defaults, mode: 'dry-run' as const } : defaults;
    expect(toRunControl(base, record)).toMatchObject(expected);
  });
});

describe('toPausedReason', () => {
  it('says who paused, when and why', () => {
    const control = toRunControl(defaults, { paused: true, updatedAt: T, updatedBy: 'alice', reason: 'INC-42' });
    expect(toPausedReason(control)).toBe('paused by alice at 2026-12-01T10:00:00.000Z: INC-42');
  });

  it('names the deployment when the pause is its default', () => {
    expect(toPausedReason(toRunControl({ ...defaults, paused: true }, undefined))).toContain(
      'paused by the deployment',
    );
  });
});
