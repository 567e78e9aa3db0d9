/**
 * Distance scores between two frequency vectors (same positions, see frequencies.ts):
 * PSI, Kullback–Leibler divergence (scipy.stats.entropy), Jensen–Shannon distance
 * (scipy.spatial.distance.jensenshannon) and Hellinger distance — plus Evidently's Hellinger
 * for numeric columns, which integrates density histograms.
 */
import { histogramCounts, sturgesEdges } from './histogram.js';

/** x·ln(x/y) with scipy.special.rel_entr's conventions (0 at x = 0, ∞ when y = 0 < x). */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

function total(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x;
  return s;
}

/** Population stability index Σ (r − c)·ln(r/c); shares must be zero-filled first. */
export function populationStabilityIndex(reference: Float64Array, current: Float64Array): number {
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    psi += (r - c) * Math.log(r / c);
  }
  return psi;
}

/** KL(reference ‖ current) in nats after normalizing both to sum 1 (scipy.stats.entropy(p, q)). */
export function klDivergence(reference: Float64Array, current: Float64Array): number {
  const sp = total(reference);
  const sq = total(current);
  let kl = 0;
  for (let i = 0; i < reference.length; i++) kl += relEntr(reference[i]! / sp, current[i]! / sq);
  return kl;
}

/**
 * Jensen–Shannon distance √((KL(p‖m) + KL(q‖m)) / 2), m = (p + q)/2, both normalized to sum 1,
 * in the log base given (natural log by default) — scipy.spatial.distance.jensenshannon(p, q, base).
 */
export function jensenShannonDistance(p: Float64Array, q: Float64Array, base?: number): number {
  const sp = total(p);
  const sq = total(q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  let js = left + right;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(Math.max(js, 0) / 2);
}

/** Hellinger distance √(1 − Σ √(pᵢqᵢ)) of two share vectors (Evidently's categorical form). */
export function hellingerDistance(reference: Float64Array, current: Float64Array): number {
  let bc = 0;
  for (let i = 0; i < reference.length; i++) bc += Math.sqrt(reference[i]! * current[i]!);
  return Math.sqrt(1 - Math.min(Math.max(bc, 0), 1));
}

/**
 * Evidently's Hellinger distance for numeric columns: density histograms of both samples over
 * Sturges bins of the *distinct* values of reference ∪ current, integrated with the mean bin width.
 * A column with a single distinct value across both samples has distance 0 (Evidently's formula
 * would give 1 there: its bin width is 0).
 */
export function hellingerDistanceNumeric(sortedReference: Float64Array, sortedCurrent: Float64Array): number {
  const distinct = distinctSorted(sortedReference, sortedCurrent);
  if (distinct.length === 1) return 0;
  const edges = sturgesEdges([distinct]);
  const bins = edges.length - 1;
  const h1 = density(histogramCounts(sortedReference, edges), edges);
  const h2 = density(histogramCounts(sortedCurrent, edges), edges);
  const width = (distinct[distinct.length - 1]! - distinct[0]!) / bins;
  let bc = 0;
  for (let i = 0; i < bins; i++) bc += Math.sqrt(h1[i]! * h2[i]!) * width;
  return Math.sqrt(1 - Math.min(Math.max(bc, 0), 1));
}

/** np.histogram(..., density=True): count / bin width / total count. */
function density(counts: Float64Array, edges: Float64Array): Float64Array {
  const n = total(counts);
  return counts.map((c, i) => c / (edges[i + 1]! - edges[i]!) / n);
}

function distinctSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let k = 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    out[k++] = x;
  }
  return out.slice(0, k);
}
