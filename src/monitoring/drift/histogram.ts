/**
 * numpy-compatible histograms for the binned drift scores (PSI, KL, Jensen–Shannon, Hellinger on
 * numeric columns), reproducing `np.histogram_bin_edges(values, bins='sturges')` and
 * `np.histogram(values, edges)` bit for bit:
 *
 * - edges span [min, max] of the values (±0.5 around a constant), in
 *   ⌈(max − min) / width⌉ equal bins with width = (max − min) / (log₂ N + 1) (Sturges), placed as
 *   numpy's linspace places them (edge i = min + i·step, the last edge exactly max);
 * - every bin is half-open [eᵢ, eᵢ₊₁) except the last, which also holds its right edge.
 */

/** Sturges bin edges over the union of the given ascending samples (numpy semantics). */
export function sturgesEdges(samples: readonly Float64Array[]): Float64Array {
  let size = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of samples) {
    if (s.length === 0) continue;
    size += s.length;
    if (s[0]! < min) min = s[0]!;
    if (s[s.length - 1]! > max) max = s[s.length - 1]!;
  }
  if (size === 0) throw new RangeError('sturgesEdges needs at least one value');
  return sturgesEdgesSpanning(min, max, size);
}

/** numpy's Sturges edges for `count` values spanning [min, max] (±0.5 around a constant). */
export function sturgesEdgesSpanning(min: number, max: number, count: number): Float64Array {
  const width = (max - min) / (Math.log2(count) + 1);
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i <= bins; i++)
    edges[i] = step === 0 ? (i / bins) * (last - first) + first : i * step + first;
  edges[bins] = last;
  return edges;
}

/** First index in ascending `sorted` whose value is ≥ x (or > x when `right`). */
function searchSorted(sorted: Float64Array, x: number, right: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (right ? sorted[mid]! <= x : sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts of an ascending sample in the bins given by `edges` (np.histogram(values, edges)[0]). */
export function histogramCounts(sorted: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  let previous = searchSorted(sorted, edges[0]!, false);
  for (let i = 0; i < bins; i++) {
    const next = searchSorted(sorted, edges[i + 1]!, i === bins - 1);
    counts[i] = next - previous;
    previous = next;
  }
  return counts;
}
