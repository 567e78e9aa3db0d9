/**
 * Fine bins of one numeric column, filled one value at a time while a side of the report streams
 * past (constant memory, whatever the row count), and the drift scores they give.
 *
 * `UniformBins`: K equal bins over the reference's exact [min, max], with per bin the rows and the
 * sum of the values' positions inside the bin, plus exact row counts and sums of distances for the
 * values outside [min, max]. From them the CDF of each side is exact at every edge and ∫F over
 * every bin is exact, so normed Wasserstein W₁ = ∫|F_ref − F_cur| is exact wherever F_ref − F_cur
 * keeps its sign through a bin (and outside [min, max], where F_ref is 0 or 1); in the bins where
 * the sign may change, `normedWassersteinOfBins` bounds the integral rigorously (see there).
 *
 * `ValueBins`: for the KS test when the reference is small (≤ 1000 rows): counts of the other side
 * below and at each distinct reference value, which is all the KS statistic looks at — exact.
 */

/** Bins per numeric column for the large-data path. */
export const DEFAULT_BINS = 8192;

/** Rows and position sums in equal bins over [lo, hi], and exact tails outside it. */
export class UniformBins {
  readonly counts: Float64Array;
  /** Per bin, Σ (position of the value inside the bin, in [0, 1]). */
  readonly positions: Float64Array;
  /** Finite values below lo: how many, and Σ (lo − x). */
  below = { count: 0, distance: 0 };
  /** Finite values above hi: how many, and Σ (x − hi). */
  above = { count: 0, distance: 0 };
  /** Finite values seen, and missing ones (null, NaN, ±∞: missing, as in drift/). */
  rows = 0;
  nulls = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private readonly scale: number;

  constructor(
    readonly lo: number,
    readonly hi: number,
    readonly bins = DEFAULT_BINS,
  ) {
    if (!(hi >= lo)) throw new RangeError(`bins need lo ≤ hi, got [${lo}, ${hi}]`);
    const k = hi > lo ? bins : 1;
    this.bins = k;
    this.scale = hi > lo ? k / (hi - lo) : 0;
    this.counts = new Float64Array(k);
    this.positions = new Float64Array(k);
  }

  /** Bin width. */
  get width(): number {
    return this.hi > this.lo ? (this.hi - this.lo) / this.bins : 0;
  }

  add(x: number | null): void {
    this.addAll(Float64Array.of(x ?? Number.NaN), 1);
  }

  /** Adds the first `n` values (NaN and ±∞ count as missing): the streaming pass's hot loop. */
  addAll(values: Float64Array, n: number): void {
    const { counts, positions, lo, hi, scale } = this;
    const last = this.bins - 1;
    let rows = 0;
    let min = this.min;
    let max = this.max;
    for (let i = 0; i < n; i++) {
      const x = values[i]!;
      // x − x is 0 only for finite x (NaN for NaN and ±∞).
      if (x - x !== 0) continue;
      rows++;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x < lo) {
        this.below.count++;
        this.below.distance += lo - x;
      } else if (x > hi) {
        this.above.count++;
        this.above.distance += x - hi;
      } else {
        const p = (x - lo) * scale;
        const k = Math.min(Math.floor(p), last);
        counts[k]! += 1;
        positions[k]! += p - k;
      }
    }
    this.rows += rows;
    this.nulls += n - rows;
    this.min = min;
    this.max = max;
  }

  /** Bins holding at least one value (tails count as one each). */
  occupied(): number {
    let n = (this.below.count > 0 ? 1 : 0) + (this.above.count > 0 ? 1 : 0);
    for (const c of this.counts) if (c > 0) n++;
    return n;
  }
}

/** A score with the interval the exact score is known to lie in. */
export interface BoundedScore {
  score: number;
  bounds: [number, number];
}

/** ∫|g| over one bin where g goes linearly from g0 to g1 (the point estimate inside a bin). */
function linearAbsIntegral(g0: number, g1: number, width: number): number {
  if ((g0 >= 0 && g1 >= 0) || (g0 <= 0 && g1 <= 0)) return (width * Math.abs(g0 + g1)) / 2;
  return (width * (g0 * g0 + g1 * g1)) / (2 * Math.abs(g0 - g1));
}

/**
 * W₁(reference, current) / max(std, floor) from bins over the same edges (the reference's
 * [min, max], so the reference has no tails).
 *
 * Per bin with left CDFs R₀, C₀ and masses r, q, g = F_ref − F_cur lies in [L, U] = [R₀ − C₀ − q,
 * R₀ + r − C₀] and I = ∫g over the bin is exact (from the position sums). When L ≥ 0 or U ≤ 0,
 * ∫|g| = |I|. Otherwise |I| ≤ ∫|g| ≤ min(w·max(U, −L), I + 2w·(−L), −I + 2w·U); the point
 * estimate there is g taken linear across the bin, clamped into that interval.
 */
export function normedWassersteinOfBins(
  reference: UniformBins,
  current: UniformBins,
  std: number,
  minNorm: number,
): BoundedScore {
  const nr = reference.rows;
  const nc = current.rows;
  const w = reference.width;
  let lower = current.below.distance / nc + current.above.distance / nc;
  let upper = lower;
  let estimate = lower;
  let fr = 0;
  let fc = current.below.count / nc;
  for (let k = 0; k < reference.bins; k++) {
    const cr = reference.counts[k]!;
    const cc = current.counts[k]!;
    if (cr === 0 && cc === 0 && fr === fc) continue;
    const r = cr / nr;
    const q = cc / nc;
    const integral = w * (fr - fc + (cr - reference.positions[k]!) / nr - (cc - current.positions[k]!) / nc);
    const low = fr - fc - q;
    const high = fr + r - fc;
    if (low >= 0 || high <= 0) {
      const exact = Math.abs(integral);
      lower += exact;
      upper += exact;
      estimate += exact;
    } else {
      const lo = Math.abs(integral);
      const hi = Math.max(
        lo,
        Math.min(w * Math.max(high, -low), integral + 2 * w * -low, -integral + 2 * w * high),
      );
      lower += lo;
      upper += hi;
      estimate += Math.min(Math.max(linearAbsIntegral(fr - fc, fr + r - fc - q, w), lo), hi);
    }
    fr += r;
    fc += q;
  }
  const norm = Math.max(std, minNorm);
  return { score: estimate / norm, bounds: [lower / norm, upper / norm] };
}

/** Counts of a side at and below each distinct reference value (for the exact KS statistic). */
export class ValueBins {
  /** `less[i]`: values in (values[i−1], values[i]); `equal[i]`: values equal to values[i]. */
  readonly less: Float64Array;
  readonly equal: Float64Array;
  /** Values above the last reference value. */
  greater = 0;
  rows = 0;
  nulls = 0;

  /** `values`: the reference's distinct finite values, ascending. */
  constructor(readonly values: Float64Array) {
    this.less = new Float64Array(values.length);
    this.equal = new Float64Array(values.length);
  }

  /** Adds the first `n` values (NaN and ±∞ count as missing). */
  addAll(values: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) this.add(values[i]!);
  }

  add(x: number | null): void {
    if (x === null || !Number.isFinite(x)) {
      this.nulls++;
      return;
    }
    this.rows++;
    const v = this.values;
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo === v.length) this.greater++;
    else if (v[lo] === x) this.equal[lo]! += 1;
    else this.less[lo]! += 1;
  }
}

/**
 * The two-sample KS statistic D between the reference (its sorted finite values, which also
 * define `current`'s bins) and the current side binned on them: the largest CDF gap at every
 * point of the union, computed as drift/'s ksStatistic does (i/n₁ − j/n₂).
 */
export function ksStatisticOfValueBins(reference: Float64Array, current: ValueBins): number {
  const n1 = reference.length;
  const n2 = current.rows;
  let maxDiff = 0;
  let minDiff = 0;
  let i = 0;
  let j = 0;
  const see = () => {
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    else if (diff < minDiff) minDiff = diff;
  };
  for (let k = 0; k < current.values.length; k++) {
    const x = current.values[k]!;
    if (current.less[k]! > 0) {
      j += current.less[k]!;
      see();
    }
    while (i < n1 && reference[i] === x) i++;
    j += current.equal[k]!;
    see();
  }
  if (current.greater > 0) {
    j += current.greater;
    see();
  }
  return Math.max(maxDiff, Math.min(-minDiff, 1));
}
