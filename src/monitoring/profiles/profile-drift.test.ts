import { describe, expect, it } from 'vitest';
import {
  detectColumnDrift,
  fillZeroShares,
  histogramCounts,
  ksTwoSample,
  normedWassersteinDistance,
  populationStabilityIndex,
} from '../drift/index.js';
import { CategoricalColumnProfile, type ColumnProfile, NumericColumnProfile } from './column-profile.js';
import { DatasetProfile } from './dataset-profile.js';
import { sturgesEdgesOfRange } from './fixed-histogram.js';
import {
  detectColumnDriftFromProfiles,
  detectDriftFromProfiles,
  type ProfileDriftVerdict,
} from './profile-drift.js';
import { seededRandom } from './seeded-random.js';

function normals(seed: number, n: number, mean: number, sd: number): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++)
    out[i] = mean + sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return out;
}

function referenceProfile(values: Float64Array): NumericColumnProfile {
  const finite = values.filter(Number.isFinite);
  const edges = sturgesEdgesOfRange(Math.min(...finite), Math.max(...finite), finite.length);
  return new NumericColumnProfile({ edges }).add(values);
}

function currentProfile(values: Float64Array, reference: NumericColumnProfile): NumericColumnProfile {
  return new NumericColumnProfile({ edges: reference.histogram!.edges }).add(values);
}

function expectNoNaN(v: ProfileDriftVerdict): void {
  for (const x of [v.score, v.pValue, v.statistic, ...(v.bounds ?? [])]) expect(Number.isNaN(x)).toBe(false);
}

describe('numeric drift from profiles', () => {
  const refValues = normals(1, 20_000, 10, 2);
  const curValues = normals(2, 15_000, 10.3, 2.1);
  const reference = referenceProfile(refValues);
  const current = currentProfile(curValues, reference);
  const sortedRef = refValues.slice().sort();
  const sortedCur = curValues.slice().sort();

  it('approximates the normed Wasserstein distance within its stated bound (here to < 0.5 % of the exact score)', () => {
    const v = detectColumnDriftFromProfiles('amount', reference, current);
    expect(v.test).toBe('wasserstein');
    expect(v.basis).toBe('sketch');
    const exact = normedWassersteinDistance(sortedRef, sortedCur);
    const [lo, hi] = v.bounds!;
    expect(lo).toBeLessThanOrEqual(exact);
    expect(hi).toBeGreaterThanOrEqual(exact);
    // What the 1 % sketch achieves in practice: the error is far below the bound.
    expect(Math.abs(v.score! - exact) / exact).toBeLessThan(0.005);
    expect(v.drifted).toBe(exact >= 0.1);
  });

  it('brackets the exact KS statistic and p-value', () => {
    const v = detectColumnDriftFromProfiles('amount', reference, current, { test: 'ks' });
    const exact = ksTwoSample(sortedRef, sortedCur);
    expect(v.statistic!).toBeLessThanOrEqual(exact.statistic + 1e-12);
    expect(v.bounds![0]).toBeLessThanOrEqual(exact.pValue);
    expect(v.bounds![1]).toBeGreaterThanOrEqual(exact.pValue);
    expect(Math.abs(v.statistic! - exact.statistic)).toBeLessThan(0.01);
    expect(v.drifted).toBe(true);
  });

  it("computes PSI exactly over the reference's bins plus the two open bins", () => {
    const v = detectColumnDriftFromProfiles('amount', reference, current, { test: 'psi' });
    expect(v.basis).toBe('histogram');
    const edges = reference.histogram!.edges;
    const shares = (sorted: Float64Array) => {
      const inside = histogramCounts(sorted, edges);
      const below = sorted.filter((x) => x < edges[0]!).length;
      const above = sorted.filter((x) => x > edges[edges.length - 1]!).length;
      return Float64Array.from([below, ...inside, above], (c) => c / sorted.length);
    };
    const exact = populationStabilityIndex(
      fillZeroShares(shares(sortedRef)),
      fillZeroShares(shares(sortedCur)),
    );
    expect(v.score).toBeCloseTo(exact, 12);
    for (const test of ['kl_div', 'jensenshannon', 'hellinger', 'chisquare', 'z'] as const) {
      expectNoNaN(detectColumnDriftFromProfiles('amount', reference, current, { test }));
    }
  });

  it('equals the exact drift/ tests on columns with few values (kept as exact per-value counts)', () => {
    const r = seededRandom(7);
    const ref = Float64Array.from({ length: 3000 }, () => Math.floor(r() * 8));
    const cur = Float64Array.from({ length: 800 }, () => Math.floor(r() * r() * 9));
    const rp = referenceProfile(ref);
    const cp = currentProfile(cur, rp);
    for (const test of [undefined, 'ks', 'wasserstein', 'psi', 'chisquare', 'z', 'kl_div'] as const) {
      const override = test ? { test } : undefined;
      const fromProfiles = detectColumnDriftFromProfiles('rooms', rp, cp, override);
      const exact = detectColumnDrift(
        { column: 'rooms', kind: 'numeric', reference: ref, current: cur },
        override,
      );
      expect(fromProfiles.basis).toBe('exact');
      expect(fromProfiles.test).toBe(exact.test);
      expect(fromProfiles.score).toBeCloseTo(exact.score!, 10);
    }
  });

  it('falls back to sketch-binned Sturges edges of reference ∪ current when profiles have no common histogram', () => {
    const rp = new NumericColumnProfile().add(refValues);
    const cp = new NumericColumnProfile().add(curValues);
    const v = detectColumnDriftFromProfiles('amount', rp, cp, { test: 'jensenshannon' });
    const exact = detectColumnDrift(
      { column: 'amount', kind: 'numeric', reference: refValues, current: curValues },
      { test: 'jensenshannon' },
    );
    expect(v.basis).toBe('sketch');
    expect(Math.abs(v.score! - exact.score!)).toBeLessThan(0.01);
  });
});

describe('categorical drift from profiles', () => {
  it('equals the exact tests on raw values while counts are exact, and flags unseen categories', () => {
    const r = seededRandom(3);
    const pick = (w: number[]) => {
      const u = r();
      let acc = 0;
      for (let i = 0; i < w.length; i++) {
        acc += w[i]!;
        if (u < acc) return ['DE', 'FR', 'US', 'JP'][i]!;
      }
      return 'JP';
    };
    const ref = Array.from({ length: 900 }, () => pick([0.5, 0.3, 0.2]));
    const cur = Array.from({ length: 400 }, () => pick([0.4, 0.3, 0.2, 0.1]));
    const rp = new CategoricalColumnProfile().add(ref);
    const cp = new CategoricalColumnProfile().add(cur);
    for (const test of [undefined, 'z', 'jensenshannon', 'psi', 'hellinger'] as const) {
      const override = test ? { test } : undefined;
      const v = detectColumnDriftFromProfiles('country', rp, cp, override);
      const exact = detectColumnDrift(
        { column: 'country', kind: 'categorical', reference: ref, current: cur },
        override,
      );
      expect([v.test, v.basis]).toEqual([exact.test, 'exact']);
      expect(v.score).toBeCloseTo(exact.score!, 12);
      expect(v.reason).toBe(exact.reason);
    }
    const chi = detectColumnDriftFromProfiles('country', rp, cp);
    expect([chi.test, chi.pValue, chi.drifted, chi.reason]).toEqual([
      'chisquare',
      0,
      true,
      '1 category never seen in the reference',
    ]);
  });

  it('tests a Misra–Gries summary with its unkept mass as one bucket', () => {
    const r = seededRandom(5);
    const make = (n: number) =>
      Array.from({ length: n }, () => (r() < 0.6 ? 'common' : `id-${Math.floor(r() * 5000)}`));
    const rp = new CategoricalColumnProfile({ categoryCapacity: 50 }).add(make(5000));
    const cp = new CategoricalColumnProfile({ categoryCapacity: 50 }).add(make(5000));
    const v = detectColumnDriftFromProfiles('user', rp, cp);
    expect(v.basis).toBe('summary');
    expect(v.test).toBe('jensenshannon');
    expect(v.drifted).toBe(false);
    expectNoNaN(v);
  });
});

describe('edge cases from profiles', () => {
  const key = { model: 'm', version: '1', source: 's', segment: '' };

  function profiles(refCols: Record<string, ColumnProfile>, curCols: Record<string, ColumnProfile>) {
    const reference = new DatasetProfile({ ...key, kind: 'reference' }, 0, 1);
    const current = new DatasetProfile({ ...key, kind: 'serving' }, 0, 1);
    for (const [n, c] of Object.entries(refCols)) reference.columns.set(n, c);
    for (const [n, c] of Object.entries(curCols)) current.columns.set(n, c);
    return { reference, current };
  }

  it('never gives NaN: all-null, constant, single-row, missing columns and unseen categories', () => {
    const constRef = referenceProfile(new Float64Array(2000).fill(4));
    const { reference, current } = profiles(
      {
        allNull: referenceProfile(new Float64Array([1, 2, 3])),
        constant: constRef,
        single: referenceProfile(normals(4, 1500, 0, 1)),
        gone: referenceProfile(normals(5, 100, 0, 1)),
        city: new CategoricalColumnProfile().add(['a', 'b']),
      },
      {
        allNull: new NumericColumnProfile().add(new Float64Array([Number.NaN, Number.NaN])),
        constant: currentProfile(new Float64Array(30).fill(4), constRef),
        single: new NumericColumnProfile().add([0.2]),
        city: new CategoricalColumnProfile().add(['zzz']),
      },
    );
    const report = detectDriftFromProfiles(reference, current);
    const by = Object.fromEntries(report.columns.map((v) => [v.column, v]));
    expect(by.allNull!.status).toBe('insufficient_data');
    expect(by.allNull!.reason).toBe('current has no non-missing values');
    expect(by.gone!.status).toBe('insufficient_data');
    expect([by.constant!.status, by.constant!.drifted]).toEqual(['tested', false]);
    expect(by.single!.status).toBe('tested');
    expect([by.city!.drifted, by.city!.reason]).toEqual([true, '1 category never seen in the reference']);
    for (const v of report.columns) expectNoNaN(v);
    expect(report.testedColumns).toBe(3);
  });

  it('names the column when kinds differ or an override is unknown', () => {
    const { reference, current } = profiles(
      { x: new NumericColumnProfile().add([1]) },
      { x: new CategoricalColumnProfile().add(['1']) },
    );
    expect(() => detectDriftFromProfiles(reference, current)).toThrow(/'x.kind'/);
    expect(() => detectDriftFromProfiles(reference, reference, { overrides: { y: { test: 'ks' } } })).toThrow(
      /overrides.y/,
    );
    expect(() =>
      detectDriftFromProfiles(reference, reference, { overrides: { x: { test: 'nope' as 'ks' } } }),
    ).toThrow(/'x.test'/);
  });
});
