/**
 * Column samples as the drift tests consume them: nulls removed and counted, numeric values as an
 * ascending Float64Array (one radix sort, no per-element objects), categorical values as
 * counts per category. Like Evidently, ±Infinity and NaN count as missing in numeric columns.
 */
import { sortFloat64 } from './radix-sort.js';

/** A category: what a categorical column (or a classifier's label) holds. */
export type CategoryValue = string | number | boolean;

/** Raw numeric column values; null, undefined, NaN and ±Infinity are missing. */
export type NumericValues = Float64Array | readonly (number | null | undefined)[];

/** Raw categorical column values; null, undefined and NaN are missing. */
export type CategoricalValues = readonly (CategoryValue | null | undefined)[];

export interface NumericSample {
  kind: 'numeric';
  /** Non-missing values, ascending. */
  sorted: Float64Array;
  /** Missing values removed. */
  nulls: number;
}

export interface CategoricalSample {
  kind: 'categorical';
  /** Rows per category, in first-seen order. */
  counts: Map<CategoryValue, number>;
  /** Non-missing rows. */
  size: number;
  nulls: number;
}

export type ColumnSample = NumericSample | CategoricalSample;

/** Drops missing values and sorts the rest ascending. */
export function numericSample(values: NumericValues): NumericSample {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) out[n++] = v;
  }
  const sorted = n === out.length ? out : out.slice(0, n);
  sortFloat64(sorted);
  return { kind: 'numeric', sorted, nulls: values.length - n };
}

/** Counts the categories of a column, missing values removed. */
export function categoricalSample(values: CategoricalValues): CategoricalSample {
  const counts = new Map<CategoryValue, number>();
  let size = 0;
  for (const v of values) {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    size++;
  }
  return { kind: 'categorical', counts, size, nulls: values.length - size };
}

/** Non-missing rows of a sample. */
export function sampleSize(sample: ColumnSample): number {
  return sample.kind === 'numeric' ? sample.sorted.length : sample.size;
}

/** Values of a sample counted per distinct value (numeric samples by their sorted runs). */
export function valueCounts(sample: ColumnSample): Map<CategoryValue, number> {
  if (sample.kind === 'categorical') return sample.counts;
  const counts = new Map<CategoryValue, number>();
  const s = sample.sorted;
  for (let i = 0; i < s.length; ) {
    let j = i + 1;
    while (j < s.length && s[j] === s[i]) j++;
    counts.set(s[i]!, j - i);
    i = j;
  }
  return counts;
}

/** Distinct non-missing values of a sample. */
export function distinctCount(sample: ColumnSample): number {
  if (sample.kind === 'categorical') return sample.counts.size;
  return distinctInUnion(sample.sorted, new Float64Array(0));
}

/** Distinct values in the union of two ascending samples, by one merge walk. */
export function distinctInUnion(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let distinct = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < a.length && a[i] === x) i++;
    while (j < b.length && b[j] === x) j++;
    distinct++;
  }
  return distinct;
}

/** Distinct non-missing values across reference and current (what Evidently's nunique counts). */
export function unionDistinctCount(reference: ColumnSample, current: ColumnSample): number {
  if (reference.kind === 'numeric' && current.kind === 'numeric') {
    return distinctInUnion(reference.sorted, current.sorted);
  }
  const keys = new Set(valueCounts(reference).keys());
  for (const k of valueCounts(current).keys()) keys.add(k);
  return keys.size;
}
