/**
 * Drift verdicts from two profiles (reference, current) instead of raw values: the same tests,
 * defaults and thresholds as drift/ (Evidently's choice), computed from what profiles keep.
 *
 * | column, data at hand                         | basis       | how                                   |
 * |----------------------------------------------|-------------|---------------------------------------|
 * | categorical, counts exact on both sides      | 'exact'     | the drift/ tests on the counts        |
 * | categorical, a Misra–Gries summary           | 'summary'   | kept counts + one '(other)' bucket    |
 * | numeric, ≤ 64 distinct values on both sides  | 'exact'     | per-value counts: every test as drift/|
 * | numeric, binned scores (psi, kl_div, jensenshannon, hellinger, chisquare, z) | 'histogram' | counts in the reference's bins + 2 open bins |
 * | numeric, no common histogram                 | 'sketch'    | sketch buckets binned over Sturges edges of reference ∪ current (Evidently's edges) |
 * | numeric ks / wasserstein                     | 'sketch'    | weighted-distances.ts, with `bounds`   |
 *
 * Approximations (documented in `bounds` on the verdict where they can be bounded):
 * - normed Wasserstein: W₁ of the sketches over the reference's exact std; the true score lies
 *   within ± α/(1 − α)·(E|x_ref| + E|x_cur|)/std (α = 1 %);
 * - KS: D at bucket boundaries (a lower bound) and the largest D the buckets allow; the p-value is
 *   scipy's for the lower D, `bounds` gives the p-value range;
 * - histogram scores use the reference's Sturges bins, not Evidently's bins over reference ∪
 *   current, and Hellinger on numeric columns is the share form of those bins (not Evidently's
 *   density integral). With raw values at hand, use drift/'s exact tests instead.
 *
 * The edge cases behave as in drift/: empty sides give 'insufficient_data', never NaN.
 */
import { invalidParameter } from '../../core/errors.js';
import { checkDriftTestOptions, columnVerdict, resolveTest } from '../drift/column-drift.js';
import {
  BINNING_MIN_DISTINCT,
  type CategoryValue,
  checkDatasetDriftOptions,
  chiSquaredTest,
  chooseDriftTest,
  type DatasetDriftOptions,
  type DriftTestName,
  type DriftTestOptions,
  type DriftVerdict,
  fillZeroShares,
  hellingerDistance,
  jensenShannonDistance,
  klDivergence,
  ksPValue,
  populationStabilityIndex,
  summarizeDatasetDrift,
  WASSERSTEIN_MIN_NORM,
  zTest,
} from '../drift/index.js';
import { CategoricalColumnProfile, type ColumnProfile, NumericColumnProfile } from './column-profile.js';
import type { DatasetProfile } from './dataset-profile.js';
import { DistinctSketch } from './distinct-sketch.js';
import { sturgesEdgesOfRange } from './fixed-histogram.js';
import {
  binPoints,
  meanAbsolute,
  type WeightedPoints,
  weightedKs,
  weightedWasserstein,
} from './weighted-distances.js';

/** What a profile-based verdict was computed from. */
export type ProfileDriftBasis = 'exact' | 'summary' | 'histogram' | 'sketch';

export interface ProfileDriftVerdict extends DriftVerdict {
  basis: ProfileDriftBasis;
  /** Range the exact score lies in, where the approximation is bounded (KS p-value, Wasserstein). */
  bounds?: [number, number];
}

export interface ProfileDriftReport {
  columns: ProfileDriftVerdict[];
  testedColumns: number;
  driftedColumns: number;
  share: number;
  driftShare: number;
  datasetDrift: boolean;
}

/** The '(other)' bucket of a Misra–Gries summary (its unkept mass). */
const OTHER = '\u0000other';

function categoryCounts(p: CategoricalColumnProfile): Map<CategoryValue, number> {
  const counts: Map<CategoryValue, number> = p.categories.toMap();
  const kept = [...counts.values()].reduce((a, b) => a + b, 0);
  if (kept < p.categories.total) counts.set(OTHER, p.categories.total - kept);
  return counts;
}

function valuePoints(values: Map<number, number>): WeightedPoints {
  const sorted = [...values].sort((a, b) => a[0] - b[0]);
  return { values: Float64Array.from(sorted, (e) => e[0]), weights: Float64Array.from(sorted, (e) => e[1]) };
}

/** Sketch points clamped to the profile's exact [min, max] (never farther from the true values). */
function sketchPoints(p: NumericColumnProfile, clamp: boolean): WeightedPoints {
  const { values, weights } = p.quantiles.points();
  if (clamp)
    for (let i = 0; i < values.length; i++) values[i] = Math.min(Math.max(values[i]!, p.min!), p.max!);
  return { values, weights };
}

function unionDistinct(reference: ColumnProfile, current: ColumnProfile): number {
  if (reference.kind === 'numeric' && current.kind === 'numeric' && reference.values && current.values) {
    return new Set([...reference.values.keys(), ...current.values.keys()]).size;
  }
  if (
    reference.kind === 'categorical' &&
    current.kind === 'categorical' &&
    reference.categories.exact &&
    current.categories.exact
  ) {
    return new Set([...reference.categories.toMap().keys(), ...current.categories.toMap().keys()]).size;
  }
  const union = DistinctSketch.fromJSON(reference.distinct.toJSON());
  union.merge(current.distinct);
  return union.estimate();
}

interface Outcome {
  score: number;
  statistic: number;
  pValue: number | null;
  basis: ProfileDriftBasis;
  bounds?: [number, number];
  reason?: string;
}

/** Row shares per position for both sides, and how they were obtained. */
function frequencies(
  reference: ColumnProfile,
  current: ColumnProfile,
):
  | { ref: Map<CategoryValue, number>; cur: Map<CategoryValue, number>; basis: ProfileDriftBasis }
  | { refBins: Float64Array; curBins: Float64Array; basis: ProfileDriftBasis } {
  if (reference.kind === 'categorical' && current.kind === 'categorical') {
    const exact = reference.categories.exact && current.categories.exact;
    return {
      ref: categoryCounts(reference),
      cur: categoryCounts(current),
      basis: exact ? 'exact' : 'summary',
    };
  }
  const r = reference as NumericColumnProfile;
  const c = current as NumericColumnProfile;
  if (r.values && c.values && r.values.size <= BINNING_MIN_DISTINCT) {
    return {
      ref: r.values as Map<CategoryValue, number>,
      cur: c.values as Map<CategoryValue, number>,
      basis: 'exact',
    };
  }
  if (r.histogram && c.histogram && r.histogram.sameEdges(c.histogram.edges)) {
    return { refBins: r.histogram.withOutside(), curBins: c.histogram.withOutside(), basis: 'histogram' };
  }
  const edges = sturgesEdgesOfRange(Math.min(r.min!, c.min!), Math.max(r.max!, c.max!), r.count + c.count);
  return {
    refBins: binPoints(sketchPoints(r, true), edges),
    curBins: binPoints(sketchPoints(c, true), edges),
    basis: 'sketch',
  };
}

function binnedShares(
  reference: ColumnProfile,
  current: ColumnProfile,
): { ref: Float64Array; cur: Float64Array; basis: ProfileDriftBasis } {
  const f = frequencies(reference, current);
  if ('refBins' in f) {
    return {
      ref: f.refBins.map((x) => x / reference.count),
      cur: f.curBins.map((x) => x / current.count),
      basis: f.basis,
    };
  }
  const keys = [...f.ref.keys()];
  for (const k of f.cur.keys()) if (!f.ref.has(k)) keys.push(k);
  return {
    ref: Float64Array.from(keys, (k) => (f.ref.get(k) ?? 0) / reference.count),
    cur: Float64Array.from(keys, (k) => (f.cur.get(k) ?? 0) / current.count),
    basis: f.basis,
  };
}

function countMaps(
  reference: ColumnProfile,
  current: ColumnProfile,
): { ref: Map<CategoryValue, number>; cur: Map<CategoryValue, number>; basis: ProfileDriftBasis } {
  const f = frequencies(reference, current);
  if ('ref' in f) return f;
  const toMap = (bins: Float64Array) =>
    new Map<CategoryValue, number>(
      [...bins].map((c, i) => [i, c] as [number, number]).filter(([, c]) => c > 0),
    );
  return { ref: toMap(f.refBins), cur: toMap(f.curBins), basis: f.basis };
}

function unseenReason(unseen: number): string | undefined {
  return unseen > 0
    ? `${unseen} categor${unseen === 1 ? 'y' : 'ies'} never seen in the reference`
    : undefined;
}

function runTest(
  test: DriftTestName,
  reference: ColumnProfile,
  current: ColumnProfile,
  options: DriftTestOptions,
): Outcome {
  switch (test) {
    case 'chisquare':
    case 'z': {
      const { ref, cur, basis } = countMaps(reference, current);
      const r = test === 'z' ? zTest(ref, cur) : chiSquaredTest(ref, cur);
      const reason = unseenReason(r.unseenCategories);
      return {
        score: r.pValue,
        statistic: r.statistic,
        pValue: r.pValue,
        basis,
        ...(reason ? { reason } : {}),
      };
    }
    case 'ks':
    case 'wasserstein': {
      const r = reference as NumericColumnProfile;
      const c = current as NumericColumnProfile;
      const exact = r.values !== null && c.values !== null;
      if (test === 'ks') {
        const a = exact ? valuePoints(r.values!) : sketchPoints(r, false);
        const b = exact ? valuePoints(c.values!) : sketchPoints(c, false);
        const d = weightedKs(a, b);
        const result = ksPValue(d.statistic, r.count, c.count);
        if (exact)
          return { score: result.pValue, statistic: result.statistic, pValue: result.pValue, basis: 'exact' };
        const low = ksPValue(d.upper, r.count, c.count).pValue;
        return {
          score: result.pValue,
          statistic: result.statistic,
          pValue: result.pValue,
          basis: 'sketch',
          bounds: [low, result.pValue],
        };
      }
      const norm = Math.max(Math.sqrt(r.variance() ?? 0), WASSERSTEIN_MIN_NORM);
      const a = exact ? valuePoints(r.values!) : sketchPoints(r, true);
      const b = exact ? valuePoints(c.values!) : sketchPoints(c, true);
      const score = weightedWasserstein(a, b) / norm;
      if (exact) return { score, statistic: score, pValue: null, basis: 'exact' };
      const alpha = r.quantiles.relativeAccuracy;
      const slack = ((alpha / (1 - alpha)) * (meanAbsolute(a) + meanAbsolute(b))) / norm;
      return {
        score,
        statistic: score,
        pValue: null,
        basis: 'sketch',
        bounds: [Math.max(0, score - slack), score + slack],
      };
    }
    default: {
      const { ref, cur, basis } = binnedShares(reference, current);
      let score: number;
      if (test === 'jensenshannon') score = jensenShannonDistance(ref, cur, options.jensenShannonBase);
      else if (test === 'psi') score = populationStabilityIndex(fillZeroShares(ref), fillZeroShares(cur));
      else if (test === 'kl_div') score = klDivergence(fillZeroShares(ref), fillZeroShares(cur));
      else score = hellingerDistance(ref, cur);
      return { score, statistic: score, pValue: null, basis };
    }
  }
}

/** Tests one column from its reference and current profiles. */
export function detectColumnDriftFromProfiles(
  column: string,
  reference: ColumnProfile,
  current: ColumnProfile,
  override?: { test?: DriftTestName; threshold?: number },
  options: DriftTestOptions = {},
): ProfileDriftVerdict {
  if (reference.kind !== current.kind)
    throw invalidParameter(`${column}.kind`, `${reference.kind} (as in the reference)`, current.kind);
  if (
    reference.kind === 'numeric' &&
    current.kind === 'numeric' &&
    reference.quantiles.relativeAccuracy !== current.quantiles.relativeAccuracy
  )
    throw invalidParameter(
      `${column}.relativeAccuracy`,
      `${reference.quantiles.relativeAccuracy} (as in the reference)`,
      current.quantiles.relativeAccuracy,
    );
  checkDriftTestOptions(options);
  const referenceRows = reference.count;
  const currentRows = current.count;
  const { test, threshold } = resolveTest(column, reference.kind, override, () =>
    chooseDriftTest({
      kind: reference.kind,
      referenceRows,
      distinctValues: unionDistinct(reference, current),
    }),
  );
  let outcome: ReturnType<typeof runTest> | undefined;
  const verdict: ProfileDriftVerdict = {
    ...columnVerdict(
      {
        column,
        kind: reference.kind,
        test,
        threshold,
        referenceRows,
        currentRows,
        referenceNulls: reference.nulls,
        currentNulls: current.nulls,
      },
      () => {
        outcome = runTest(test, reference, current, options);
        return outcome;
      },
    ),
    // Nothing tested (a side is empty) is exact: there is no score to approximate.
    basis: outcome?.basis ?? 'exact',
  };
  if (outcome?.bounds) verdict.bounds = outcome.bounds;
  return verdict;
}

/**
 * Dataset drift from two dataset profiles: every column of the reference that the current profile
 * also has (a column missing from the current profile is reported as insufficient data).
 *
 * @example
 * const report = detectDriftFromProfiles(reference, current, { overrides: { amount: { test: 'psi' } } });
 */
export function detectDriftFromProfiles(
  reference: DatasetProfile,
  current: DatasetProfile,
  options: DatasetDriftOptions = {},
): ProfileDriftReport {
  const driftShare = checkDatasetDriftOptions(options, new Set(reference.columns.keys()));
  const verdicts: ProfileDriftVerdict[] = [];
  for (const name of [...reference.columns.keys()].sort()) {
    const ref = reference.columns.get(name)!;
    const cur = current.columns.get(name) ?? emptyLike(ref);
    verdicts.push(detectColumnDriftFromProfiles(name, ref, cur, options.overrides?.[name], options));
  }
  return summarizeDatasetDrift(verdicts, driftShare);
}

/** An empty profile of the same kind and settings as `p`. */
function emptyLike(p: ColumnProfile): ColumnProfile {
  if (p.kind === 'numeric')
    return new NumericColumnProfile({
      relativeAccuracy: p.quantiles.relativeAccuracy,
      valueCapacity: p.valueCapacity,
    });
  return new CategoricalColumnProfile({ categoryCapacity: p.categories.capacity });
}
