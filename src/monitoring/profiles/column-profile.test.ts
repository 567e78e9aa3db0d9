import { describe, expect, it } from 'vitest';
import { CategoricalColumnProfile, columnProfileFromJSON, NumericColumnProfile } from './column-profile.js';
import { DatasetProfile, mergeDatasetProfiles } from './dataset-profile.js';
import { sturgesEdgesOfRange } from './fixed-histogram.js';
import { seededRandom } from './seeded-random.js';

function exactVariance(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
}

describe('NumericColumnProfile', () => {
  it('holds exact count, nulls, mean, variance, min and max', () => {
    const p = new NumericColumnProfile().add(
      new Float64Array([1, Number.NaN, 2, 4, Number.POSITIVE_INFINITY, 8]),
    );
    p.add([null, 16, undefined]);
    expect(p.rows).toBe(9);
    expect(p.nulls).toBe(4);
    expect(p.count).toBe(5);
    expect(p.mean).toBeCloseTo(6.2, 14);
    expect(p.variance()).toBeCloseTo(exactVariance([1, 2, 4, 8, 16]), 12);
    expect(p.variance(1)).toBeCloseTo((exactVariance([1, 2, 4, 8, 16]) * 5) / 4, 12);
    expect([p.min, p.max]).toEqual([1, 16]);
    expect(p.distinctCount()).toBe(5);
  });

  it('gives null statistics, not NaN, for an all-null column, and 0 variance for a constant one', () => {
    const empty = new NumericColumnProfile().add(new Float64Array([Number.NaN, Number.NaN]));
    expect([empty.mean, empty.variance(), empty.min, empty.max, empty.quantile(0.5)]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(empty.nulls).toBe(2);
    const constant = new NumericColumnProfile().add(new Float64Array([3, 3, 3]));
    expect([constant.variance(), constant.quantile(0.5), constant.distinctCount()]).toEqual([0, 3, 1]);
    const single = new NumericColumnProfile().add([7]);
    expect([single.variance(), single.variance(1), single.quantile(0.9)]).toEqual([0, null, 7]);
  });

  it('survives JSON and refuses a profile of another version', () => {
    const p = new NumericColumnProfile({ edges: [0, 1, 2] }).add([0.5, 1.5, 3, -1, 1]);
    const back = columnProfileFromJSON(JSON.parse(JSON.stringify(p)));
    expect(back.toJSON()).toEqual(p.toJSON());
    expect(() => columnProfileFromJSON({ ...p.toJSON(), v: 99 })).toThrow(/profile.v/);
    expect(() => columnProfileFromJSON({ ...p.toJSON(), kind: 'image' })).toThrow(
      /'numeric' or 'categorical'/,
    );
  });

  it('drops exact per-value counts once the column has more distinct values than its capacity', () => {
    const p = new NumericColumnProfile({ valueCapacity: 3 }).add([1, 2, 3, 1]);
    expect(p.values).toEqual(
      new Map([
        [1, 2],
        [2, 1],
        [3, 1],
      ]),
    );
    p.add([4]);
    expect(p.values).toBeNull();
    expect(p.distinctCount()).toBe(4);
  });
});

describe('CategoricalColumnProfile', () => {
  it('counts categories and nulls; numbers and booleans count as their text', () => {
    const p = new CategoricalColumnProfile().add(['DE', 'FR', null, 'DE', undefined, true]);
    expect([p.rows, p.nulls, p.count, p.distinctCount()]).toEqual([6, 2, 4, 3]);
    expect(p.categories.entries()).toEqual([
      ['DE', 2],
      ['FR', 1],
      ['true', 1],
    ]);
  });
});

/** Shuffled copy (Fisher–Yates). */
function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('DatasetProfile merge', () => {
  const key = {
    model: 'fraud',
    version: '3',
    kind: 'serving' as const,
    source: 'inference-log',
    segment: '',
  };
  const edges = sturgesEdgesOfRange(-2, 2, 10_000);

  function window(
    seed: number,
    rows: number,
    start: number,
  ): { profile: DatasetProfile; amount: number[]; country: string[] } {
    const r = seededRandom(seed);
    const amount = Array.from({ length: rows }, () =>
      r() < 0.02 ? Number.NaN : (r() + r() + r() - 1.5) * 2 + seed * 0.1,
    );
    const country = Array.from({ length: rows }, () =>
      r() < 0.05 ? '' : ['DE', 'FR', 'US', 'JP'][Math.floor(r() * r() * 4)]!,
    );
    const profile = new DatasetProfile(key, start, start + 60_000);
    profile.numeric('amount', { edges }).add(Float64Array.from(amount));
    profile.categorical('country').add(country);
    return { profile, amount, country };
  }

  it('in any order equals the profile built over the concatenated rows (exact stats exactly, moments to 1e-12)', () => {
    const parts = [1, 2, 3, 4, 5].map((s, i) => window(s, 500 + 300 * s, i * 60_000));
    const whole = new DatasetProfile(key, 0, 300_000);
    whole.numeric('amount', { edges }).add(Float64Array.from(parts.flatMap((p) => p.amount)));
    whole.categorical('country').add(parts.flatMap((p) => p.country));
    const expected = whole.toJSON();
    const random = seededRandom(42);
    for (let trial = 0; trial < 6; trial++) {
      const order = shuffle(parts, random).map((p) => p.profile);
      // Left fold in a random order, or a tree of pairs.
      const merged =
        trial % 2 === 0
          ? mergeDatasetProfiles(order)
          : mergeDatasetProfiles([
              mergeDatasetProfiles(order.slice(0, 2)),
              mergeDatasetProfiles(order.slice(2)),
            ]);
      const got = merged.toJSON();
      const { mean, m2, ...exact } = got.columns.amount as { mean: number; m2: number };
      const { mean: mean0, m2: m20, ...exact0 } = expected.columns.amount as { mean: number; m2: number };
      expect(exact).toEqual(exact0);
      expect(Math.abs(mean - mean0)).toBeLessThan(1e-12 * Math.abs(mean0));
      expect(Math.abs(m2 - m20)).toBeLessThan(1e-12 * m20);
      expect(got.columns.country).toEqual(expected.columns.country);
      expect([got.start, got.end]).toEqual([0, 300_000]);
    }
    // The inputs are left as they were.
    expect(parts[0]!.profile.columns.get('amount')!.rows).toBe(800);
  });

  it('refuses to merge profiles of different model versions or column kinds', () => {
    const a = new DatasetProfile(key, 0, 1);
    const b = new DatasetProfile({ ...key, version: '4' }, 0, 1);
    expect(() => a.merge(b)).toThrow(/'version': expected '3'/);
    a.numeric('x').add([1]);
    const c = new DatasetProfile(key, 0, 1);
    c.categorical('x').add(['1']);
    expect(() => a.merge(c)).toThrow(/x.kind/);
  });

  it('round-trips through JSON', () => {
    const { profile } = window(9, 200, 0);
    const back = DatasetProfile.fromJSON(JSON.parse(JSON.stringify(profile)));
    expect(back.toJSON()).toEqual(profile.toJSON());
    expect(() => DatasetProfile.fromJSON({ format: 'x' })).toThrow(/slipway.dataset-profile/);
  });
});
