import { TABLE_ROW_LIMIT, toTable } from '../../../lib/cli/format';

const rows = (n: number) => Array.from({ length: n }, (_, i) => [`row-${i}`, i]);
const shownRows = (text: string) => text.split('\n').filter((line) => /│ row-\d+ /.test(line));

describe('toTable', () => {
  it('draws every row up to the limit, with no note', () => {
    const text = toTable(['name', 'n'], rows(TABLE_ROW_LIMIT));
    expect(shownRows(text)).toHaveLength(TABLE_ROW_LIMIT);
    expect(text).not.toContain('not shown');
  });

  it('draws the first rows beyond the limit and says how many are left out and how to see them', () => {
    const text = toTable(['name', 'n'], rows(TABLE_ROW_LIMIT + 57));
    const shown = shownRows(text);
    expect(shown).toHaveLength(TABLE_ROW_LIMIT);
    expect(shown[0]).toContain('row-0 ');
    expect(shown.at(-1)).toContain(`row-${TABLE_ROW_LIMIT - 1} `);
    expect(text.split('\n').at(-1)).toBe(
      `  … 57 more not shown (first ${TABLE_ROW_LIMIT} of ${TABLE_ROW_LIMIT + 57} above; --json prints every row)`,
    );
  });

  it('renders 150,000 rows without a spread of them overflowing the call stack', () => {
    const text = toTable(['name', 'n'], rows(150_000), 3);
    expect(shownRows(text)).toHaveLength(3);
    expect(text).toContain('… 149997 more not shown');
  });

  it('renders an empty list as (none)', () => {
    expect(toTable(['name'], [])).toBe('  (none)');
  });
});
