import { describe, expect, it } from 'vitest';
import { sample } from '../../../test/fixtures/drift/synthetic-data.js';
import { SlipwayError } from '../../core/errors.js';
import { chooseDriftTest } from './choose-test.js';
import { type DriftColumnInput, type DriftVerdict, detectColumnDrift } from './column-drift.js';
import { detectDatasetDrift, detectPredictionDrift } from './dataset-drift.js';
import { DRIFT_TESTS, type DriftTestName } from './drift-tests.js';

const normal = (n: number, mean: number, seed: number) =>
  sample({ dist: 'normal', n, params: [mean, 1] }, seed);
const labels = (n: number, k: number, seed: number) =>
  sample({ dist: 'discrete', n, params: [k, 0] }, seed).map((v) => `class-${v}`);

function expectNoNaN(v: DriftVerdict): void {
  for (const key of ['score', 'pValue', 'statistic', 'threshold'] as const) {
    expect(Number.isNaN(v[key]), `${v.test} ${key}`).toBe(false);
  }
  expect(typeof v.drifted).toBe('boolean');
}

describe('chooseDriftTest', () => {
  it.each([
    [{ kind: 'numeric', referenceRows: 1000, distinctValues: 6 }, 'ks'],
    [{ kind: 'numeric', referenceRows: 1001, distinctValues: 6 }, 'wasserstein'],
    [{ kind: 'numeric', referenceRows: 500, distinctValues: 5 }, 'chisquare'],
    [{ kind: 'numeric', referenceRows: 500, distinctValues: 2 }, 'z'],
    [{ kind: 'numeric', referenceRows: 5000, distinctValues: 5 }, 'jensenshannon'],
    [{ kind: 'categorical', referenceRows: 1000, distinctValues: 3 }, 'chisquare'],
    [{ kind: 'categorical', referenceRows: 1000, distinctValues: 2 }, 'z'],
    [{ kind: 'categorical', referenceRows: 1001, distinctValues: 300 }, 'jensenshannon'],
  ] as const)('picks Evidently’s default for %o', (stats, test) => {
    expect(chooseDriftTest(stats)).toBe(test);
  });
});

describe('detectColumnDrift', () => {
  it('flags a shifted numeric column with KS on a small reference and passes an unshifted one', () => {
    const ref = normal(400, 0, 1);
    const same = detectColumnDrift({
      column: 'x',
      kind: 'numeric',
      reference: ref,
      current: normal(400, 0, 2),
    });
    const shifted = detectColumnDrift({
      column: 'x',
      kind: 'numeric',
      reference: ref,
      current: normal(400, 1, 3),
    });
    expect(same).toMatchObject({ test: 'ks', scoreKind: 'p_value', threshold: 0.05, drifted: false });
    expect(shifted).toMatchObject({ test: 'ks', drifted: true });
    expect(shifted.pValue).toBe(shifted.score);
    expect(shifted.pValue!).toBeLessThan(1e-20);
  });

  it('uses the normed Wasserstein distance once the reference has more than 1000 rows', () => {
    const v = detectColumnDrift({
      column: 'x',
      kind: 'numeric',
      reference: normal(5000, 0, 4),
      current: normal(2000, 0.5, 5),
    });
    expect(v).toMatchObject({ test: 'wasserstein', scoreKind: 'distance', threshold: 0.1, drifted: true });
    expect(v.score!).toBeGreaterThan(0.4);
    expect(v.pValue).toBeNull();
  });

  it('honours a per-column override of test and threshold', () => {
    const input: DriftColumnInput = {
      column: 'x',
      kind: 'numeric',
      reference: normal(400, 0, 6),
      current: normal(400, 0.2, 7),
    };
    const psi = detectColumnDrift(input, { test: 'psi', threshold: 10 });
    expect(psi).toMatchObject({ test: 'psi', threshold: 10, drifted: false });
    const strict = detectColumnDrift(input, { test: 'psi', threshold: 0 });
    expect(strict.drifted).toBe(true);
  });

  it('counts missing values and tests only the rest', () => {
    const v = detectColumnDrift({
      column: 'x',
      kind: 'numeric',
      reference: [1, null, Number.NaN, 2, 3, Number.POSITIVE_INFINITY, 4, 5, 6],
      current: [1, 2, undefined, 3, 4, 5, 6],
    });
    expect(v).toMatchObject({ referenceRows: 6, referenceNulls: 3, currentRows: 6, currentNulls: 1 });
    expect(v).toMatchObject({ test: 'ks', score: 1, drifted: false });
  });

  it('reports insufficient data, not drift, when a side has no values', () => {
    const v = detectColumnDrift({
      column: 'x',
      kind: 'numeric',
      reference: [1, 2, 3],
      current: [null, null],
    });
    expect(v).toMatchObject({ status: 'insufficient_data', drifted: false, score: null, currentNulls: 2 });
    expect(v.reason).toMatch(/current has no non-missing values/);
    const both = detectColumnDrift({ column: 'c', kind: 'categorical', reference: [], current: [null] });
    expect(both.reason).toMatch(/reference and current have no non-missing values/);
  });

  it('calls a category never seen in the reference drift under chi-squared, with a reason', () => {
    const v = detectColumnDrift({
      column: 'country',
      kind: 'categorical',
      reference: ['de', 'fr', 'it', 'de', 'fr', 'it'],
      current: ['de', 'fr', 'it', 'es'],
    });
    expect(v).toMatchObject({
      test: 'chisquare',
      pValue: 0,
      drifted: true,
      statistic: Number.POSITIVE_INFINITY,
    });
    expect(v.reason).toBe('1 category never seen in the reference');
  });

  it('gives a finite PSI and KL when current holds an unseen category (Evidently’s epsilon)', () => {
    const input: DriftColumnInput = {
      column: 'c',
      kind: 'categorical',
      reference: ['a', 'b', 'a', 'b'],
      current: ['a', 'b', 'c'],
    };
    for (const test of ['psi', 'kl_div', 'jensenshannon', 'hellinger'] as const) {
      const v = detectColumnDrift(input, { test });
      expect(Number.isFinite(v.score), test).toBe(true);
      expect(v.drifted, test).toBe(true);
    }
  });

  const edgeInputs: [string, DriftColumnInput][] = [
    ['constant equal columns', { column: 'x', kind: 'numeric', reference: [2, 2, 2], current: [2, 2] }],
    ['constant different columns', { column: 'x', kind: 'numeric', reference: [2, 2, 2], current: [3, 3] }],
    ['single-row windows', { column: 'x', kind: 'numeric', reference: [1.5], current: [7] }],
    ['single-row current', { column: 'x', kind: 'numeric', reference: normal(50, 0, 8), current: [0.1] }],
    ['single category', { column: 'c', kind: 'categorical', reference: ['a'], current: ['a', 'a'] }],
    ['single rows, two categories', { column: 'c', kind: 'categorical', reference: ['a'], current: ['b'] }],
  ];
  const numericTests = Object.values(DRIFT_TESTS).map((t) => t.name);

  it.each(edgeInputs)('never yields NaN for %s, whichever test runs', (_name, input) => {
    const tests = numericTests.filter((t) => DRIFT_TESTS[t].columnKinds.includes(input.kind));
    for (const test of [undefined, ...tests] as (DriftTestName | undefined)[]) {
      const v = detectColumnDrift(input, test ? { test } : undefined);
      expect(v.status).toBe('tested');
      expectNoNaN(v);
    }
  });

  it('does not call equal constant columns drifted by any test', () => {
    const input: DriftColumnInput = {
      column: 'x',
      kind: 'numeric',
      reference: [2, 2, 2, 2],
      current: [2, 2],
    };
    for (const test of numericTests) expect(detectColumnDrift(input, { test }).drifted, test).toBe(false);
  });

  it('rejects an unknown test, a test for the wrong kind and an impossible threshold', () => {
    const input: DriftColumnInput = { column: 'c', kind: 'categorical', reference: ['a'], current: ['b'] };
    const attempts = [
      { test: 'anderson' as DriftTestName },
      { test: 'ks' as const },
      { test: 'z' as const, threshold: 1.5 },
      { test: 'psi' as const, threshold: Number.NaN },
    ];
    for (const override of attempts) {
      let error: unknown;
      try {
        detectColumnDrift(input, override);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SlipwayError);
      expect((error as SlipwayError).code).toBe('INVALID_PARAMETER_VALUE');
      expect((error as SlipwayError).details['field']).toMatch(/^c\.(test|threshold)$/);
    }
  });
});

describe('detectDatasetDrift', () => {
  const columns = (shifted: number): DriftColumnInput[] =>
    [0, 1, 2, 3].map((i) => ({
      column: `f${i}`,
      kind: 'numeric' as const,
      reference: normal(300, 0, 10 + i),
      current: normal(300, i < shifted ? 1 : 0, 20 + i),
    }));

  it('declares dataset drift when at least half of the tested columns drift', () => {
    const half = detectDatasetDrift(columns(2));
    expect(half).toMatchObject({ testedColumns: 4, driftedColumns: 2, share: 0.5, datasetDrift: true });
    const one = detectDatasetDrift(columns(1));
    expect(one).toMatchObject({ driftedColumns: 1, share: 0.25, datasetDrift: false });
    expect(detectDatasetDrift(columns(1), { driftShare: 0.25 }).datasetDrift).toBe(true);
  });

  it('leaves columns without data out of the share', () => {
    const report = detectDatasetDrift([
      ...columns(1).slice(0, 2),
      { column: 'empty', kind: 'categorical', reference: [null, null], current: ['a'] },
    ]);
    expect(report).toMatchObject({ testedColumns: 2, driftedColumns: 1, datasetDrift: true });
    expect(report.columns[2]).toMatchObject({ column: 'empty', status: 'insufficient_data', drifted: false });
  });

  it('applies overrides by column name and rejects overrides for unknown columns', () => {
    const report = detectDatasetDrift(columns(0), {
      overrides: { f0: { test: 'wasserstein', threshold: 0.5 } },
    });
    expect(report.columns[0]).toMatchObject({ test: 'wasserstein', threshold: 0.5 });
    expect(report.columns[1]).toMatchObject({ test: 'ks' });
    expect(() => detectDatasetDrift(columns(0), { overrides: { nope: { test: 'psi' } } })).toThrow(
      SlipwayError,
    );
    expect(() => detectDatasetDrift(columns(0), { driftShare: 0 })).toThrow(/driftShare/);
  });
});

describe('detectPredictionDrift', () => {
  it('tests class labels like a categorical column', () => {
    const v = detectPredictionDrift({
      kind: 'categorical',
      reference: labels(600, 3, 30),
      current: labels(600, 3, 31),
    });
    expect(v).toMatchObject({ column: 'prediction', test: 'chisquare', drifted: false });
  });

  it('tests regression outputs like a numeric column', () => {
    const v = detectPredictionDrift({
      kind: 'numeric',
      reference: normal(3000, 0, 32),
      current: normal(3000, 0.6, 33),
    });
    expect(v).toMatchObject({ column: 'prediction', test: 'wasserstein', drifted: true });
  });
});

describe('Jensen–Shannon base', () => {
  const input: DriftColumnInput = {
    column: 'c',
    kind: 'categorical',
    reference: ['a', 'b'],
    current: ['a', 'a'],
  };

  it('is the natural log by default and base 2 on request', () => {
    const e = detectColumnDrift(input, { test: 'jensenshannon' }).score!;
    const two = detectColumnDrift(input, { test: 'jensenshannon' }, { jensenShannonBase: 2 }).score!;
    expect(two).toBeCloseTo(e / Math.sqrt(Math.LN2), 12);
  });

  it('rejects base 1', () => {
    expect(() => detectColumnDrift(input, { test: 'jensenshannon' }, { jensenShannonBase: 1 })).toThrow(
      /jensenShannonBase/,
    );
  });
});
