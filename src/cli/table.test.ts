import { describe, expect, it } from 'vitest';
import { formatDuration, formatTimestamp, renderFields, renderTable, truncate } from './table.js';

describe('renderTable', () => {
  const rows = [
    { id: '1', name: 'fraud', acc: 0.93 },
    { id: '12', name: 'churn-model', acc: 0.5 },
  ];

  it('aligns columns under a header row', () => {
    const text = renderTable(rows, [
      { header: 'ID', value: (r) => r.id },
      { header: 'NAME', value: (r) => r.name },
      { header: 'ACC', value: (r) => r.acc, align: 'right' },
    ]);
    expect(text).toBe(
      ['ID  NAME          ACC', '1   fraud        0.93', '12  churn-model   0.5', ''].join('\n'),
    );
  });

  it('cuts cells longer than the column width and marks the cut with an ellipsis', () => {
    const text = renderTable([{ s: 'abcdefghij' }], [{ header: 'S', value: (r) => r.s, maxWidth: 5 }]);
    expect(text.split('\n')[1]).toBe('abcd…');
  });

  it('renders missing values as empty cells without trailing spaces', () => {
    const text = renderTable(
      [{ a: 'x', b: null }],
      [
        { header: 'A', value: (r) => r.a },
        { header: 'B', value: (r) => r.b },
      ],
    );
    expect(text).toBe('A  B\nx\n');
  });

  it('keeps each row on one line when a value holds newlines', () => {
    const text = renderTable([{ d: 'two\nlines' }], [{ header: 'D', value: (r) => r.d }]);
    expect(text).toBe('D\ntwo lines\n');
  });

  it('prints only the header for no rows', () => {
    expect(renderTable([], [{ header: 'NAME', value: () => '' }])).toBe('NAME\n');
  });
});

describe('renderFields', () => {
  it('aligns values after their labels', () => {
    expect(
      renderFields([
        ['Name', 'fraud'],
        ['Lifecycle', 'active'],
      ]),
    ).toBe('Name:       fraud\nLifecycle:  active\n');
  });
});

describe('truncate', () => {
  it('leaves short text alone', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('counts characters, not UTF-16 units', () => {
    expect(truncate('🚀🚀🚀🚀', 3)).toBe('🚀🚀…');
  });
});

describe('formatTimestamp', () => {
  it('renders epoch milliseconds as an ISO date and time in UTC', () => {
    expect(formatTimestamp(Date.UTC(2024, 4, 1, 13, 5, 9, 250))).toBe('2024-05-01 13:05:09');
  });

  it('renders a missing time as empty', () => {
    expect(formatTimestamp(null)).toBe('');
    expect(formatTimestamp(undefined)).toBe('');
  });
});

describe('formatDuration', () => {
  it('picks a unit that reads naturally', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(7_380_000)).toBe('2h 03m');
  });
});
