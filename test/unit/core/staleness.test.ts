import { toFreshness } from '../../../lib/core/staleness';
import { MINUTE, T0 } from '../../support/builders';

describe('toFreshness', () => {
  it.each([
    ['RUNNING, started before the change', 'RUNNING', T0 - 10 * MINUTE, 0, 'stale'],
    ['RUNNING, started after the change', 'RUNNING', T0 + 10 * MINUTE, 0, 'started-after-change'],
    ['RUNNING, started just after the change, inside the margin', 'RUNNING', T0 + 30_000, MINUTE, 'stale'],
    ['RUNNING, started exactly at the change plus the margin', 'RUNNING', T0 + MINUTE, MINUTE, 'started-after-change'],
    ['RUNNING without startedAt', 'RUNNING', undefined, 0, 'stale'],
    ['STARTING (may hold either value)', 'STARTING', undefined, 0, 'stale'],
    ['SUBMITTED', 'SUBMITTED', undefined, 0, 'not-started'],
    ['PENDING', 'PENDING', undefined, 0, 'not-started'],
    ['RUNNABLE', 'RUNNABLE', undefined, 0, 'not-started'],
    ['SUCCEEDED', 'SUCCEEDED', T0 - MINUTE, 0, 'finished'],
    ['FAILED', 'FAILED', T0 - MINUTE, 0, 'finished'],
  ])('calls a job %s: %s', (_name, status, startedAt, margin, expected) => {
    expect(toFreshness({ status, startedAt }, T0, margin)).toBe(expected);
  });
});
