/**
 * Exact running moments of a numeric column: count, mean, sum of squared deviations (M2), min and
 * max, updated one value at a time (Welford) and merged pairwise (Chan et al.'s parallel formula),
 * so a profile built on several replicas or windows and merged holds the same statistics as one
 * built over all the rows (up to floating-point rounding, ~1e-15 relative).
 *
 * Variance is numpy's `var(ddof=0)` (population) or `ddof=1` (sample) from M2.
 */

/** Count, mean, M2, min and max of the non-missing values seen. */
export interface Moments {
  count: number;
  mean: number;
  /** Σ (x − mean)². */
  m2: number;
  /** +∞ while empty. */
  min: number;
  /** −∞ while empty. */
  max: number;
}

/** Moments of no value. */
export function emptyMoments(): Moments {
  return { count: 0, mean: 0, m2: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
}

/** Adds one finite value (Welford's update). */
export function addValue(m: Moments, x: number): void {
  const n = m.count + 1;
  const delta = x - m.mean;
  m.mean += delta / n;
  m.m2 += delta * (x - m.mean);
  m.count = n;
  if (x < m.min) m.min = x;
  if (x > m.max) m.max = x;
}

/** Folds `b` into `a` (Chan's parallel update); `b` is left as it was. */
export function mergeMoments(a: Moments, b: Readonly<Moments>): void {
  if (b.count === 0) return;
  if (a.count === 0) {
    Object.assign(a, b);
    return;
  }
  const n = a.count + b.count;
  const delta = b.mean - a.mean;
  // The weighted form keeps precision when one side is much larger than the other.
  a.mean = (a.count * a.mean + b.count * b.mean) / n;
  a.m2 += b.m2 + (delta * delta * a.count * b.count) / n;
  a.count = n;
  if (b.min < a.min) a.min = b.min;
  if (b.max > a.max) a.max = b.max;
}

/** Variance with `ddof` degrees of freedom removed; null when count ≤ ddof. */
export function variance(m: Readonly<Moments>, ddof = 0): number | null {
  if (m.count <= ddof) return null;
  return Math.max(m.m2, 0) / (m.count - ddof);
}
