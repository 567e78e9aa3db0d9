/**
 * Frequencies that the distance scores compare, as Evidently's `get_binned_data` builds them:
 *
 * - numeric columns whose reference has more than 20 distinct values: shares of rows in Sturges
 *   bins over reference ∪ current (see histogram.ts);
 * - every other column: shares of rows per value, over the values seen in either sample (a
 *   category never seen in the reference gets reference share 0, and vice versa).
 *
 * Shares are count / rows. PSI and KL then replace zero shares with a small epsilon so that logs
 * stay finite (`fillZeroShares`); Jensen–Shannon and Hellinger need no epsilon.
 */
import { histogramCounts, sturgesEdges } from './histogram.js';
import { type CategoryValue, type ColumnSample, sampleSize, valueCounts } from './samples.js';

/** Evidently bins numeric columns when the reference has more distinct values than this. */
export const BINNING_MIN_DISTINCT = 20;

export interface Frequencies {
  reference: Float64Array;
  current: Float64Array;
  /** The bin edges (numeric bins) or the values (per-value shares) behind each position. */
  bins: { edges: Float64Array } | { values: CategoryValue[] };
}

/** Row shares per bin or per value for reference and current (Evidently's get_binned_data). */
export function binnedFrequencies(reference: ColumnSample, current: ColumnSample): Frequencies {
  const nRef = sampleSize(reference);
  const nCur = sampleSize(current);
  if (reference.kind === 'numeric' && current.kind === 'numeric') {
    const refCounts = valueCounts(reference);
    if (refCounts.size > BINNING_MIN_DISTINCT) {
      const edges = sturgesEdges([reference.sorted, current.sorted]);
      return {
        reference: share(histogramCounts(reference.sorted, edges), nRef),
        current: share(histogramCounts(current.sorted, edges), nCur),
        bins: { edges },
      };
    }
  }
  const refCounts = valueCounts(reference);
  const curCounts = valueCounts(current);
  const values = [...refCounts.keys()];
  for (const k of curCounts.keys()) if (!refCounts.has(k)) values.push(k);
  const ref = new Float64Array(values.length);
  const cur = new Float64Array(values.length);
  values.forEach((v, i) => {
    ref[i] = (refCounts.get(v) ?? 0) / nRef;
    cur[i] = (curCounts.get(v) ?? 0) / nCur;
  });
  return { reference: ref, current: cur, bins: { values } };
}

function share(counts: Float64Array, n: number): Float64Array {
  return counts.map((c) => c / n);
}

/**
 * Evidently's zero filling: zero shares become min(non-zero share) / 10⁶ when that minimum is at
 * most 10⁻⁴, else 10⁻⁴. Returns a new array.
 */
export function fillZeroShares(shares: Float64Array): Float64Array {
  let min = Number.POSITIVE_INFINITY;
  for (const s of shares) if (s !== 0 && s < min) min = s;
  if (min === Number.POSITIVE_INFINITY) return shares.slice();
  const epsilon = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  return shares.map((s) => (s === 0 ? epsilon : s));
}
