import { toFreshness } from '../../../lib/core/staleness';
import { MINUTE, T0 } from '../../support/builders';

describe('toFreshness', () => {
  it.each([
    ['RUNNING, started before the change', 'RUNNING', T0 - 10 * MINUTE, 0, 'stale', undefined],
    ['RUNNING, started after the change', 'RUNNING', T0 + 10 * MINUTE, 0, 'started-after-change', undefined],
    ['RUNNING, started just after the change, inside the margin', 'RUNNING', T0 + 30_000, MINUTE, 'stale', undefined],
    [
      'RUNNING, started exactly at the change plus the margin',
      'RUNNING',
      T0 + MINUTE,
      MINUTE,
      'started-after-change',
      undefined,
    ],
    ['RUNNING without startedAt', 'RUNNING', undefined, 0, 'stale', undefined],
    ['STARTING (may hold either value)', 'STARTING', undefined, 0, 'stale', undefined],
    ['STARTING, created after the change', 'STARTING', undefined, 0, 'started-after-change', T0 + MINUTE],
    ['STARTING, created before the change', 'STARTING', undefined, 0, 'stale', T0 - MINUTE],
    ['SUBMITTED', 'SUBMITTED', undefined, 0, 'not-started', undefined],
    ['PENDING', 'PENDING', undefined, 0, 'not-started', undefined],
    ['RUNNABLE', 'RUNNABLE', undefined, 0, 'not-started', undefined],
    ['SUCCEEDED', 'SUCCEEDED', T0 - MINUTE, 0, 'finished', undefined],
    ['FAILED', 'FAILED', T0 - MINUTE, 0, 'finished', undefined],
  ])('calls a job %s: %s', (_name, status, startedAt, margin, expected, createdAt) => {
    expect(toFreshness({ status, startedAt, createdAt }, T0, margin)).toBe(expected);
  });
});
