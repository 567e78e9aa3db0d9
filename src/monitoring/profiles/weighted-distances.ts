/**
 * KS statistic and Wasserstein distance between two distributions given as weighted ascending
 * points — a profile's exact per-value counts, or its quantile sketch's buckets.
 *
 * From exact per-value counts both are exactly scipy's ks_2samp statistic and
 * wasserstein_distance. From two sketches with the same relative accuracy α:
 * - KS: the sketches' CDFs are exact at every bucket boundary and the buckets of both line up,
 *   so the walk gives the largest CDF gap over boundaries, a lower bound of the true D; inside a
 *   bucket the gap can grow by at most that bucket's mass, which gives the upper bound
 *   max over buckets of max(F(b) − G(a), G(b) − F(a)) for the bucket (a, b].
 * - Wasserstein: each value is at most α·|x| ≤ α/(1 − α)·|r| from its bucket's representative r,
 *   so |W₁(P, Q) − W₁(P̂, Q̂)| ≤ α/(1 − α)·(E_P̂|r| + E_Q̂|r|) (the triangle inequality for W₁).
 */

/** Ascending values with how many rows hold each. */
export interface WeightedPoints {
  values: Float64Array;
  weights: Float64Array;
}

export interface KsBounds {
  /** The largest gap at the points (exact for per-value counts, a lower bound for sketches). */
  statistic: number;
  /** The largest gap any data consistent with the buckets could have. */
  upper: number;
}

function total(w: Float64Array): number {
  let s = 0;
  for (const x of w) s += x;
  return s;
}

/** Largest CDF gap between two weighted samples, with the within-bucket upper bound. */
export function weightedKs(a: WeightedPoints, b: WeightedPoints): KsBounds {
  const na = total(a.weights);
  const nb = total(b.weights);
  let i = 0;
  let j = 0;
  let fa = 0;
  let fb = 0;
  let statistic = 0;
  let upper = 0;
  while (i < a.values.length || j < b.values.length) {
    const x =
      j >= b.values.length || (i < a.values.length && a.values[i]! <= b.values[j]!)
        ? a.values[i]!
        : b.values[j]!;
    const fa0 = fa;
    const fb0 = fb;
    if (i < a.values.length && a.values[i] === x) fa += a.weights[i++]! / na;
    if (j < b.values.length && b.values[j] === x) fb += b.weights[j++]! / nb;
    statistic = Math.max(statistic, Math.abs(fa - fb));
    upper = Math.max(upper, fa - fb0, fb - fa0);
  }
  return { statistic: Math.min(statistic, 1), upper: Math.min(upper, 1) };
}

/** W₁ = ∫ |F − G| dx between two weighted samples (non-empty). */
export function weightedWasserstein(a: WeightedPoints, b: WeightedPoints): number {
  const na = total(a.weights);
  const nb = total(b.weights);
  let i = 0;
  let j = 0;
  let fa = 0;
  let fb = 0;
  let sum = 0;
  let x = Math.min(a.values[0]!, b.values[0]!);
  for (;;) {
    while (i < a.values.length && a.values[i] === x) fa += a.weights[i++]! / na;
    while (j < b.values.length && b.values[j] === x) fb += b.weights[j++]! / nb;
    if (i >= a.values.length && j >= b.values.length) break;
    const next =
      j >= b.values.length || (i < a.values.length && a.values[i]! <= b.values[j]!)
        ? a.values[i]!
        : b.values[j]!;
    sum += Math.abs(fa - fb) * (next - x);
    x = next;
  }
  return sum;
}

/** Mean |value| of a weighted sample. */
export function meanAbsolute(p: WeightedPoints): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < p.values.length; i++) {
    s += Math.abs(p.values[i]!) * p.weights[i]!;
    n += p.weights[i]!;
  }
  return n === 0 ? 0 : s / n;
}

/** Counts of weighted points in numpy-style bins over `edges` (each point's weight in its bin). */
export function binPoints(p: WeightedPoints, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  for (let i = 0; i < p.values.length; i++) {
    const x = p.values[i]!;
    let k: number;
    if (x <= edges[0]!) k = 0;
    else if (x >= edges[bins]!) k = bins - 1;
    else {
      let lo = 0;
      let hi = bins;
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (edges[mid]! <= x) lo = mid;
        else hi = mid;
      }
      k = lo;
    }
    counts[k]! += p.weights[i]!;
  }
  return counts;
}
