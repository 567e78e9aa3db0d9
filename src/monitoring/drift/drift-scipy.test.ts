/**
 * The drift statistics against scipy/numpy: the committed reference values
 * (test/fixtures/drift/scipy-reference.json, made by make_scipy_reference.py), and — when Debian's
 * /usr/bin/python3 can import scipy — the same script run now on fresh samples.
 *
 * Tolerance: 1e-9 relative. p-values are compared where scipy's value is ≥ 1e-300; below that
 * ours must be < 1e-290 too. Hellinger distances are √(1 − Σ√(pq)), where rounding in the sum
 * alone moves the result by up to √ε ≈ 1.5e-8, so they are compared to 1e-7 absolute.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { categories, type SampleSpec, sample } from '../../../test/fixtures/drift/synthetic-data.js';
import { chiSquaredTest, zTest } from './categorical-tests.js';
import {
  hellingerDistance,
  hellingerDistanceNumeric,
  jensenShannonDistance,
  klDivergence,
  populationStabilityIndex,
} from './distances.js';
import { binnedFrequencies, fillZeroShares } from './frequencies.js';
import { kolmogorovSf } from './kolmogorov.js';
import { ksTwoSample } from './ks-test.js';
import { type ColumnSample, categoricalSample, numericSample, valueCounts } from './samples.js';
import { chiSquaredSf, normalSf } from './special-functions.js';
import { normedWassersteinDistance, wassersteinDistance } from './wasserstein.js';

type Num = number | 'inf' | '-inf' | 'nan';
interface TestValue {
  statistic: Num;
  pValue: Num;
}
interface ReferenceCase {
  name: string;
  kind: 'numeric' | 'categorical';
  reference: SampleSpec;
  current: SampleSpec;
  seed: number;
  ks?: TestValue;
  wasserstein?: Num;
  wassersteinNormed?: Num;
  jensenshannon: Num;
  jensenshannonBase2: Num;
  psi: Num;
  kl_div: Num;
  hellinger: Num;
  chisquare?: TestValue;
  z?: TestValue;
}
interface ReferenceFile {
  scipy: string;
  numeric: ReferenceCase[];
  categorical: ReferenceCase[];
  special: { chi2Sf: [number, number, Num][]; kstwoSf: [number, number, Num][]; normalSf: [number, Num][] };
}

const PYTHON = '/usr/bin/python3';
const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/drift');
const SCRIPT = resolve(FIXTURES, 'make_scipy_reference.py');
const REL = 1e-9;
const TAIL = 1e-300;

function value(n: Num): number {
  if (n === 'inf') return Number.POSITIVE_INFINITY;
  if (n === '-inf') return Number.NEGATIVE_INFINITY;
  if (n === 'nan') return Number.NaN;
  return n;
}

function expectClose(
  actual: number,
  expected: Num,
  what: string,
  opts: { abs?: number; pValue?: boolean } = {},
) {
  const e = value(expected);
  expect(Number.isNaN(actual), `${what}: got NaN`).toBe(false);
  if (!Number.isFinite(e) || e === 0) {
    if (opts.pValue && e === 0) expect(actual, what).toBeLessThan(1e-290);
    else expect(actual, what).toBe(e);
    return;
  }
  if (opts.pValue && e < TAIL) {
    expect(actual, `${what} (far tail)`).toBeLessThan(1e-290);
    return;
  }
  const err = Math.abs(actual - e);
  const ok = err <= REL * Math.abs(e) || (opts.abs !== undefined && err <= opts.abs);
  expect(ok, `${what}: ${actual} vs scipy ${e} (relative error ${err / Math.abs(e)})`).toBe(true);
}

function samplesOf(c: ReferenceCase): [ColumnSample, ColumnSample] {
  if (c.kind === 'numeric') {
    return [numericSample(sample(c.reference, c.seed)), numericSample(sample(c.current, c.seed + 1))];
  }
  return [
    categoricalSample(categories(c.reference, c.seed)),
    categoricalSample(categories(c.current, c.seed + 1)),
  ];
}

function checkCase(c: ReferenceCase): void {
  const [ref, cur] = samplesOf(c);
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const ks = ksTwoSample(ref.sorted, cur.sorted);
    expectClose(ks.statistic, c.ks!.statistic, 'KS statistic');
    expectClose(ks.pValue, c.ks!.pValue, `KS p-value (${ks.method})`, { pValue: true });
    expectClose(wassersteinDistance(ref.sorted, cur.sorted), c.wasserstein!, 'Wasserstein');
    expectClose(
      normedWassersteinDistance(ref.sorted, cur.sorted),
      c.wassersteinNormed!,
      'normed Wasserstein',
    );
    expectClose(hellingerDistanceNumeric(ref.sorted, cur.sorted), c.hellinger, 'Hellinger', { abs: 1e-7 });
  } else {
    const f = binnedFrequencies(ref, cur);
    expectClose(hellingerDistance(f.reference, f.current), c.hellinger, 'Hellinger', { abs: 1e-7 });
  }
  const f = binnedFrequencies(ref, cur);
  expectClose(jensenShannonDistance(f.reference, f.current), c.jensenshannon, 'Jensen-Shannon');
  expectClose(
    jensenShannonDistance(f.reference, f.current, 2),
    c.jensenshannonBase2,
    'Jensen-Shannon base 2',
  );
  const fr = fillZeroShares(f.reference);
  const fc = fillZeroShares(f.current);
  expectClose(populationStabilityIndex(fr, fc), c.psi, 'PSI');
  expectClose(klDivergence(fr, fc), c.kl_div, 'KL divergence');
  if (c.chisquare) {
    const chi = chiSquaredTest(valueCounts(ref), valueCounts(cur));
    expectClose(chi.statistic, c.chisquare.statistic, 'chi-squared statistic');
    expectClose(chi.pValue, c.chisquare.pValue, 'chi-squared p-value', { pValue: true });
  }
  if (c.z) {
    const z = zTest(valueCounts(ref), valueCounts(cur));
    expectClose(Math.abs(z.statistic), Math.abs(value(c.z.statistic)), 'z statistic');
    expectClose(z.pValue, c.z.pValue, 'z-test p-value', { pValue: true });
  }
}

function checkSpecial(s: ReferenceFile['special']): void {
  for (const [x, df, p] of s.chi2Sf)
    expectClose(chiSquaredSf(x, df), p, `chi2.sf(${x}, ${df})`, { pValue: true });
  for (const [n, x, p] of s.kstwoSf)
    expectClose(kolmogorovSf(n, x), p, `kstwo.sf(${x}, ${n})`, { pValue: true });
  for (const [z, p] of s.normalSf) expectClose(normalSf(z), p, `norm.sf(${z})`, { pValue: true });
}

const committed = JSON.parse(
  readFileSync(resolve(FIXTURES, 'scipy-reference.json'), 'utf8'),
) as ReferenceFile;

describe(`matches the committed scipy ${committed.scipy} reference values`, () => {
  it.each(committed.numeric.map((c) => [c.name, c] as const))('numeric: %s', (_name, c) => checkCase(c));
  it.each(committed.categorical.map((c) => [c.name, c] as const))('categorical: %s', (_name, c) =>
    checkCase(c),
  );
  it('chi-squared, Kolmogorov and normal tails', () => checkSpecial(committed.special));
});

const hasScipy = spawnSync(PYTHON, ['-c', 'import scipy, numpy'], { stdio: 'ignore' }).status === 0;
const liveTitle = hasScipy
  ? 'matches scipy run now on fresh samples'
  : `matches scipy run now on fresh samples (skipped: ${PYTHON} cannot import scipy; apt-get install python3-scipy to run it)`;

describe.skipIf(!hasScipy)(liveTitle, () => {
  it('agrees on every case of make_scipy_reference.py --seed-offset 7', () => {
    const run = spawnSync(PYTHON, [SCRIPT, '--stdout', '--seed-offset', '7'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status, run.stderr).toBe(0);
    const live = JSON.parse(run.stdout) as ReferenceFile;
    expect(live.numeric.length + live.categorical.length).toBeGreaterThan(30);
    for (const c of [...live.numeric, ...live.categorical]) checkCase(c);
    checkSpecial(live.special);
  }, 120_000);
});
