/**
 * The report's histogram of a numeric column from its fine bins (large-data path): the fine bins
 * grouped into about Sturges' number of display bins over the reference's [min, max], plus one bin
 * on each side for current values outside it. Counts are exact (display edges fall on fine edges).
 */
import type { UniformBins } from './column-bins.js';
import type { NumericHistogram } from './types.js';

/** At most this many display bins inside the reference's range (as histograms.ts draws). */
const MAX_BINS = 60;

/** Reference and current counts over common display edges; null when neither side has a value. */
export function histogramOfBins(reference: UniformBins, current: UniformBins): NumericHistogram | null {
  if (reference.rows + current.rows === 0) return null;
  if (reference.rows === 0) {
    const hi = current.max > current.min ? current.max : current.min + 0.5;
    return { edges: [current.min, hi], reference: [0], current: [current.rows] };
  }
  const k = reference.bins;
  const sturges = Math.ceil(Math.log2(reference.rows + current.rows) + 1);
  const group = Math.ceil(k / Math.min(Math.max(sturges, 1), MAX_BINS));
  const edges: number[] = [];
  const ref: number[] = [];
  const cur: number[] = [];
  if (current.below.count > 0) {
    edges.push(current.min);
    ref.push(0);
    cur.push(current.below.count);
  }
  const w = reference.width;
  for (let start = 0; start < k; start += group) {
    edges.push(reference.lo + start * w);
    let r = 0;
    let c = 0;
    for (let b = start; b < Math.min(start + group, k); b++) {
      r += reference.counts[b]!;
      c += current.counts[b]!;
    }
    ref.push(r);
    cur.push(c);
  }
  // A constant reference is drawn as numpy does, ±0.5 around it (unless current values lie there).
  const constant = reference.hi === reference.lo;
  if (constant && current.below.count === 0) edges[0] = reference.lo - 0.5;
  edges.push(constant && current.above.count === 0 ? reference.hi + 0.5 : reference.hi);
  if (current.above.count > 0) {
    ref.push(0);
    cur.push(current.above.count);
    edges.push(current.max);
  }
  return { edges, reference: ref, current: cur };
}
