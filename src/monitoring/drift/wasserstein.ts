/**
 * First Wasserstein (earth mover's) distance between two samples, as
 * scipy.stats.wasserstein_distance(u, v): ∫ |U(x) − V(x)| dx over the empirical CDFs, by one
 * merge walk over both sorted samples. Evidently's drift score divides it by the reference's
 * population standard deviation, floored at 0.001 so constant references stay finite.
 */

/** Evidently's floor for the reference std in the normed distance. */
export const WASSERSTEIN_MIN_NORM = 0.001;

/** W₁ between two non-empty ascending samples (no NaN). */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let x = Math.min(a[0]!, b[0]!);
  while (i < n1 || j < n2) {
    while (i < n1 && a[i] === x) i++;
    while (j < n2 && b[j] === x) j++;
    if (i >= n1 && j >= n2) break;
    const next = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    sum += Math.abs(i / n1 - j / n2) * (next - x);
    x = next;
  }
  return sum;
}

/** Population standard deviation (numpy.std, ddof = 0), two-pass with compensated sums. */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let sum = 0;
  let c = 0;
  for (let k = 0; k < n; k++) {
    const v = values[k]!;
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  const mean = (sum + c) / n;
  let ss = 0;
  let cs = 0;
  for (let k = 0; k < n; k++) {
    const d = values[k]! - mean;
    const v = d * d;
    const t = ss + v;
    cs += ss >= v ? ss - t + v : v - t + ss;
    ss = t;
  }
  return Math.sqrt((ss + cs) / n);
}

/**
 * Evidently's normed Wasserstein drift score: W₁(reference, current) / max(std(reference), 0.001).
 * Both samples ascending and non-empty.
 */
export function normedWassersteinDistance(
  sortedReference: Float64Array,
  sortedCurrent: Float64Array,
): number {
  const norm = Math.max(populationStd(sortedReference), WASSERSTEIN_MIN_NORM);
  return wassersteinDistance(sortedReference, sortedCurrent) / norm;
}
