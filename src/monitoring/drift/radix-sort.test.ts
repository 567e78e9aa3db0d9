import { describe, expect, it } from 'vitest';
import { type SampleSpec, sample } from '../../../test/fixtures/drift/synthetic-data.js';
import { sortFloat64 } from './radix-sort.js';

function expectSortedLikeBuiltIn(values: Float64Array): void {
  const expected = values.slice().sort();
  const actual = sortFloat64(values.slice());
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('sortFloat64', () => {
  it.each([
    ['normal around 0', { dist: 'normal', n: 50_000, params: [0, 3] }],
    ['lognormal', { dist: 'lognormal', n: 20_000, params: [0, 4] }],
    ['ties', { dist: 'rounded', n: 30_000, params: [-1, 2] }],
    ['constant', { dist: 'constant', n: 5_000, params: [-2.5] }],
    ['just above the radix cut-over', { dist: 'uniform', n: 2_048, params: [-1, 1] }],
    ['small (built-in sort)', { dist: 'uniform', n: 100, params: [-1, 1] }],
  ] as [string, SampleSpec][])('orders %s exactly as TypedArray#sort', (_name, spec) => {
    expectSortedLikeBuiltIn(Float64Array.from(sample(spec, 42) as number[]));
  });

  it('orders extremes, signed zeros and subnormals', () => {
    const values = Float64Array.from(sample({ dist: 'normal', n: 4_000, params: [0, 1] }, 7) as number[]);
    values.set([-0, 0, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324, 1e-310, -1e300], 100);
    expectSortedLikeBuiltIn(values);
  });

  it('sorts a view into a larger buffer without touching the rest', () => {
    const buffer = new Float64Array(10_000).fill(9);
    const view = buffer.subarray(1_000, 9_000);
    view.set(Float64Array.from(sample({ dist: 'uniform', n: 8_000, params: [-5, 5] }, 3) as number[]));
    sortFloat64(view);
    for (let i = 1; i < view.length; i++) expect(view[i]! >= view[i - 1]!).toBe(true);
    expect(buffer[999]).toBe(9);
    expect(buffer[9_000]).toBe(9);
  });
});
