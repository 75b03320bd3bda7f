import { rejectFutureChanges } from '../../../lib/core/arrival';
import { aChange, T0 } from '../../support/builders';

describe('rejectFutureChanges', () => {
  const sourced = (source: string, changedAt: number) => ({ source, change: aChange({ changedAt }) });

  it('keeps changes up to their arrival plus the skew, rejects later ones with a reason', () => {
    const result = rejectFutureChanges(
      [
        sourced('ok', T0),
        sourced('skewed', T0 + 299_000),
        sourced('future', T0 + 86_400_000),
        sourced('unknown', T0 + 86_400_000),
      ],
      (source) => (source === 'unknown' ? undefined : T0),
      300_000,
    );
    expect(result.changes.map((c) => c.source)).toEqual(['ok', 'skewed', 'unknown']);
    expect(result.rejected).toEqual([
      {
        source: 'future',
        reason:
          "change time 2026-11-29T12:00:00.000Z is later than the event's arrival (2026-11-28T12:00:00.000Z) plus 300 s",
      },
    ]);
  });
});
