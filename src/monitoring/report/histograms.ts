/**
 * The histograms a drift report draws: numeric columns binned over Sturges edges of reference ∪
 * current (the edges Evidently's binned scores use), categorical columns as rows per category for
 * the most frequent categories of both sides.
 */
import { type CategoryValue, histogramCounts, sturgesEdges } from '../drift/index.js';
import type { CategoryHistogram, NumericHistogram } from './types.js';

/** At most this many bins are drawn (Sturges stays far below it up to billions of rows). */
const MAX_BINS = 60;
/** Categories drawn one by one; the rest are summed as 'other'. */
export const MAX_CATEGORIES = 20;

function finiteSorted(values: Float64Array): Float64Array {
  const out = values.filter((v) => Number.isFinite(v));
  return out.sort();
}

/** Reference and current counts over common edges; null when neither side has a finite value. */
export function numericHistogram(reference: Float64Array, current: Float64Array): NumericHistogram | null {
  const ref = finiteSorted(reference);
  const cur = finiteSorted(current);
  if (ref.length + cur.length === 0) return null;
  let edges = sturgesEdges([ref, cur]);
  if (edges.length - 1 > MAX_BINS) {
    const lo = edges[0]!;
    const hi = edges[edges.length - 1]!;
    edges = Float64Array.from({ length: MAX_BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / MAX_BINS);
    edges[MAX_BINS] = hi;
  }
  return {
    edges: [...edges],
    reference: [...histogramCounts(ref, edges)],
    current: [...histogramCounts(cur, edges)],
  };
}

function countsOf(values: readonly (string | null)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** Rows per category, most frequent (over both sides) first. */
export function categoryHistogram(
  reference: readonly (string | null)[],
  current: readonly (string | null)[],
): CategoryHistogram {
  return categoryHistogramOfCounts(countsOf(reference), countsOf(current));
}

/** The same from rows per category already counted (the large-data path counts in DuckDB). */
export function categoryHistogramOfCounts(
  ref: ReadonlyMap<CategoryValue, number>,
  cur: ReadonlyMap<CategoryValue, number>,
): CategoryHistogram {
  const all = [...new Set([...ref.keys(), ...cur.keys()])];
  const total = (c: CategoryValue) => (ref.get(c) ?? 0) + (cur.get(c) ?? 0);
  const ranked = all.sort((a, b) => total(b) - total(a) || (String(a) < String(b) ? -1 : 1));
  const shown = ranked.slice(0, MAX_CATEGORIES);
  const rest = ranked.slice(MAX_CATEGORIES);
  return {
    categories: shown.map(String),
    reference: shown.map((c) => ref.get(c) ?? 0),
    current: shown.map((c) => cur.get(c) ?? 0),
    other: {
      reference: rest.reduce<number>((a, c) => a + (ref.get(c) ?? 0), 0),
      current: rest.reduce<number>((a, c) => a + (cur.get(c) ?? 0), 0),
    },
  };
}
