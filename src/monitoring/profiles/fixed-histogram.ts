/**
 * A histogram over fixed edges, so that profiles built apart (replicas, windows, the reference)
 * count the same bins and the binned drift scores (PSI, KL, Jensen–Shannon, Hellinger) can run from
 * profiles alone. The edges come from the reference as Evidently places them — Sturges bins over
 * [min, max] (numpy's `histogram_bin_edges(bins='sturges')`, see drift/histogram.ts) — but over the
 * reference alone, since a profile must know its bins before current rows arrive; two open bins
 * count current values below the reference's minimum and above its maximum, so drift outside the
 * reference range still shows. Bins are [eᵢ, eᵢ₊₁), the last also holding its right edge.
 */
import { invalidParameter } from '../../core/errors.js';
import { sturgesEdgesSpanning } from '../drift/index.js';

export interface FixedHistogramJson {
  edges: number[];
  counts: number[];
  below: number;
  above: number;
}

/**
 * numpy's Sturges edges for `count` values spanning [min, max] (±0.5 around a constant), the same
 * placement as drift/histogram.ts's `sturgesEdges` over the values themselves.
 */
export function sturgesEdgesOfRange(min: number, max: number, count: number): Float64Array {
  if (!(count > 0 && Number.isFinite(min) && Number.isFinite(max) && min <= max))
    throw invalidParameter(
      'range',
      'a finite [min, max] of at least one value',
      `[${min}, ${max}] × ${count}`,
    );
  return sturgesEdgesSpanning(min, max, count);
}

export class FixedHistogram {
  readonly counts: Float64Array;
  /** Values below the first edge. */
  below = 0;
  /** Values above the last edge. */
  above = 0;

  constructor(readonly edges: Float64Array) {
    if (edges.length < 2) throw invalidParameter('edges', 'at least two ascending edges', edges.length);
    for (let i = 1; i < edges.length; i++) {
      if (!(edges[i]! > edges[i - 1]!))
        throw invalidParameter('edges', 'strictly ascending finite edges', Array.from(edges));
    }
    this.counts = new Float64Array(edges.length - 1);
  }

  /** Counts one finite value. */
  add(x: number, weight = 1): void {
    const e = this.edges;
    const last = e.length - 1;
    if (x < e[0]!) this.below += weight;
    else if (x > e[last]!) this.above += weight;
    else if (x === e[last]) this.counts[last - 1]! += weight;
    else {
      // The bin i with e[i] ≤ x < e[i+1].
      let lo = 0;
      let hi = last;
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (e[mid]! <= x) lo = mid;
        else hi = mid;
      }
      this.counts[lo]! += weight;
    }
  }

  /** Whether `other` counts the same bins. */
  sameEdges(edges: Float64Array): boolean {
    if (edges.length !== this.edges.length) return false;
    for (let i = 0; i < edges.length; i++) if (edges[i] !== this.edges[i]) return false;
    return true;
  }

  merge(other: FixedHistogram): void {
    if (!this.sameEdges(other.edges))
      throw invalidParameter('histogram.edges', 'the same edges on both profiles', Array.from(other.edges));
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.below += other.below;
    this.above += other.above;
  }

  /** Counts as one vector: [below, bins…, above]. */
  withOutside(): Float64Array {
    const out = new Float64Array(this.counts.length + 2);
    out[0] = this.below;
    out.set(this.counts, 1);
    out[out.length - 1] = this.above;
    return out;
  }

  toJSON(): FixedHistogramJson {
    return {
      edges: Array.from(this.edges),
      counts: Array.from(this.counts),
      below: this.below,
      above: this.above,
    };
  }

  static fromJSON(json: FixedHistogramJson): FixedHistogram {
    const h = new FixedHistogram(Float64Array.from(json.edges));
    if (json.counts.length !== h.counts.length)
      throw invalidParameter('histogram.counts', `${h.counts.length} counts`, json.counts.length);
    h.counts.set(json.counts);
    h.below = json.below;
    h.above = json.above;
    return h;
  }
}
