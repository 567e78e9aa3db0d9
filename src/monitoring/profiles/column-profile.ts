/**
 * Mergeable profiles of one column over a window of rows.
 *
 * Numeric columns: rows, nulls (null, NaN and ±∞ count as missing, as in drift/), exact count /
 * mean / variance / min / max (moments.ts), a quantile sketch (quantile-sketch.ts, α = 1 %), a
 * distinct-count sketch (distinct-sketch.ts, ≈ 1.6 %), exact counts per value while the column has
 * at most `valueCapacity` (64) distinct values — what Evidently's per-value tests need for columns
 * with few values — and, when edges are given, a fixed-edge histogram (fixed-histogram.ts).
 *
 * Categorical columns: rows, nulls, category counts (top-categories.ts: exact up to 1,000
 * categories, then Misra–Gries) and a distinct-count sketch.
 *
 * `merge` is associative and commutative: exact for rows, nulls, min, max, the sketches' contents,
 * the per-value counts and the histogram; mean and variance equal to ~1e-15 relative.
 */
import { invalidParameter } from '../../core/errors.js';
import { DistinctSketch, type DistinctSketchJson } from './distinct-sketch.js';
import { FixedHistogram, type FixedHistogramJson } from './fixed-histogram.js';
import { addValue, emptyMoments, type Moments, mergeMoments, variance } from './moments.js';
import { QuantileSketch, type QuantileSketchJson } from './quantile-sketch.js';
import { TopCategories, type TopCategoriesJson } from './top-categories.js';

/** Version of the serialized column profile. */
export const COLUMN_PROFILE_VERSION = 1;
/** Numeric columns keep exact per-value counts up to this many distinct values. */
export const DEFAULT_VALUE_CAPACITY = 64;

export interface NumericProfileOptions {
  /** Histogram edges (usually the reference's, see `referenceEdges`). */
  edges?: Float64Array | readonly number[];
  relativeAccuracy?: number;
  valueCapacity?: number;
  hllPrecision?: number;
}

export interface CategoricalProfileOptions {
  categoryCapacity?: number;
  hllPrecision?: number;
}

export interface NumericColumnProfileJson {
  v: number;
  kind: 'numeric';
  rows: number;
  nulls: number;
  count: number;
  mean: number;
  m2: number;
  min: number | null;
  max: number | null;
  quantiles: QuantileSketchJson;
  distinct: DistinctSketchJson;
  valueCapacity: number;
  /** [value, count] ascending, or null once the column had more than valueCapacity values. */
  values: Array<[number, number]> | null;
  histogram: FixedHistogramJson | null;
}

export interface CategoricalColumnProfileJson {
  v: number;
  kind: 'categorical';
  rows: number;
  nulls: number;
  categories: TopCategoriesJson;
  distinct: DistinctSketchJson;
}

export type ColumnProfileJson = NumericColumnProfileJson | CategoricalColumnProfileJson;
export type ColumnProfile = NumericColumnProfile | CategoricalColumnProfile;

/** Profile of a numeric column. */
export class NumericColumnProfile {
  readonly kind = 'numeric' as const;
  /** Rows seen, missing ones included. */
  rows = 0;
  nulls = 0;
  readonly moments: Moments = emptyMoments();
  quantiles: QuantileSketch;
  distinct: DistinctSketch;
  readonly valueCapacity: number;
  /** Exact counts per value; null once there were more than valueCapacity. */
  values: Map<number, number> | null = new Map();
  histogram: FixedHistogram | null;

  constructor(options: NumericProfileOptions = {}) {
    this.quantiles = new QuantileSketch(options.relativeAccuracy);
    this.distinct = new DistinctSketch(options.hllPrecision);
    this.valueCapacity = options.valueCapacity ?? DEFAULT_VALUE_CAPACITY;
    if (!(Number.isSafeInteger(this.valueCapacity) && this.valueCapacity >= 0))
      throw invalidParameter('valueCapacity', 'a whole number ≥ 0', this.valueCapacity);
    this.histogram = options.edges ? new FixedHistogram(Float64Array.from(options.edges)) : null;
  }

  /** Adds a batch of values; NaN and ±∞ (and null/undefined in arrays) count as missing. */
  add(values: Float64Array | readonly (number | null | undefined)[]): this {
    const m = this.moments;
    const hist = this.histogram;
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        this.nulls++;
        continue;
      }
      addValue(m, x);
      this.quantiles.add(x);
      this.distinct.addNumber(x);
      if (hist) hist.add(x);
      const counts = this.values;
      if (counts) {
        const key = x === 0 ? 0 : x;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (counts.size > this.valueCapacity) this.values = null;
      }
    }
    this.rows += values.length;
    return this;
  }

  /** Non-missing values. */
  get count(): number {
    return this.moments.count;
  }

  get mean(): number | null {
    return this.moments.count === 0 ? null : this.moments.mean;
  }

  /** numpy.var with `ddof` (0: population); null when there are at most ddof values. */
  variance(ddof = 0): number | null {
    return variance(this.moments, ddof);
  }

  get min(): number | null {
    return this.moments.count === 0 ? null : this.moments.min;
  }

  get max(): number | null {
    return this.moments.count === 0 ? null : this.moments.max;
  }

  /** The lower q-quantile within the sketch's relative accuracy, clamped to [min, max]; null when empty. */
  quantile(q: number): number | null {
    const v = this.quantiles.quantile(q);
    if (v === null) return null;
    return Math.min(Math.max(v, this.moments.min), this.moments.max);
  }

  /** Distinct non-missing values: exact while the per-value counts are kept, else the HLL estimate. */
  distinctCount(): number {
    return this.values ? this.values.size : this.distinct.estimate();
  }

  merge(other: NumericColumnProfile): this {
    if (other.valueCapacity !== this.valueCapacity)
      throw invalidParameter(
        'valueCapacity',
        `${this.valueCapacity} (as the profile merged into)`,
        other.valueCapacity,
      );
    if (this.histogram && other.histogram) this.histogram.merge(other.histogram);
    else if (this.histogram || other.histogram) {
      const empty = this.histogram ? other.count === 0 : this.count === 0;
      if (!empty)
        throw invalidParameter(
          'histogram',
          'histograms on both profiles or on neither',
          'one profile without',
        );
      // An empty side without a histogram adopts the other's bins.
      if (!this.histogram) this.histogram = FixedHistogram.fromJSON(other.histogram!.toJSON());
    }
    this.rows += other.rows;
    this.nulls += other.nulls;
    mergeMoments(this.moments, other.moments);
    this.quantiles.merge(other.quantiles);
    this.distinct.merge(other.distinct);
    if (this.values && other.values) {
      for (const [v, c] of other.values) this.values.set(v, (this.values.get(v) ?? 0) + c);
      if (this.values.size > this.valueCapacity) this.values = null;
    } else this.values = null;
    return this;
  }

  toJSON(): NumericColumnProfileJson {
    const m = this.moments;
    return {
      v: COLUMN_PROFILE_VERSION,
      kind: 'numeric',
      rows: this.rows,
      nulls: this.nulls,
      count: m.count,
      mean: m.mean,
      m2: m.m2,
      min: this.min,
      max: this.max,
      quantiles: this.quantiles.toJSON(),
      distinct: this.distinct.toJSON(),
      valueCapacity: this.valueCapacity,
      values: this.values ? [...this.values].sort((a, b) => a[0] - b[0]) : null,
      histogram: this.histogram ? this.histogram.toJSON() : null,
    };
  }

  static fromJSON(json: NumericColumnProfileJson): NumericColumnProfile {
    const p = new NumericColumnProfile({ valueCapacity: json.valueCapacity });
    p.quantiles = QuantileSketch.fromJSON(json.quantiles);
    p.distinct = DistinctSketch.fromJSON(json.distinct);
    p.histogram = json.histogram ? FixedHistogram.fromJSON(json.histogram) : null;
    p.rows = json.rows;
    p.nulls = json.nulls;
    Object.assign(p.moments, {
      count: json.count,
      mean: json.mean,
      m2: json.m2,
      min: json.min ?? Number.POSITIVE_INFINITY,
      max: json.max ?? Number.NEGATIVE_INFINITY,
    });
    p.values = json.values ? new Map(json.values) : null;
    return p;
  }
}

/** Profile of a categorical column. */
export class CategoricalColumnProfile {
  readonly kind = 'categorical' as const;
  rows = 0;
  nulls = 0;
  categories: TopCategories;
  distinct: DistinctSketch;

  constructor(options: CategoricalProfileOptions = {}) {
    this.categories = new TopCategories(options.categoryCapacity);
    this.distinct = new DistinctSketch(options.hllPrecision);
  }

  /** Adds a batch of categories; null and undefined count as missing (other values as their text). */
  add(values: readonly (string | number | boolean | null | undefined)[]): this {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
        this.nulls++;
        continue;
      }
      const s = typeof v === 'string' ? v : String(v);
      this.categories.add(s);
      this.distinct.addString(s);
    }
    this.rows += values.length;
    return this;
  }

  /** Non-missing values. */
  get count(): number {
    return this.categories.total;
  }

  /** Distinct categories: exact while the counts are exact, else the HLL estimate. */
  distinctCount(): number {
    return this.categories.exact ? this.categories.entries().length : this.distinct.estimate();
  }

  merge(other: CategoricalColumnProfile): this {
    this.rows += other.rows;
    this.nulls += other.nulls;
    this.categories.merge(other.categories);
    this.distinct.merge(other.distinct);
    return this;
  }

  toJSON(): CategoricalColumnProfileJson {
    return {
      v: COLUMN_PROFILE_VERSION,
      kind: 'categorical',
      rows: this.rows,
      nulls: this.nulls,
      categories: this.categories.toJSON(),
      distinct: this.distinct.toJSON(),
    };
  }

  static fromJSON(json: CategoricalColumnProfileJson): CategoricalColumnProfile {
    const p = new CategoricalColumnProfile();
    p.categories = TopCategories.fromJSON(json.categories);
    p.distinct = DistinctSketch.fromJSON(json.distinct);
    p.rows = json.rows;
    p.nulls = json.nulls;
    return p;
  }
}

/** Reads a serialized column profile (either kind); bad input → INVALID_PARAMETER_VALUE. */
export function columnProfileFromJSON(json: unknown, field = 'profile'): ColumnProfile {
  const j = json as Partial<ColumnProfileJson> | null;
  if (typeof j !== 'object' || j === null) throw invalidParameter(field, 'a column profile object', json);
  if (j.v !== COLUMN_PROFILE_VERSION)
    throw invalidParameter(`${field}.v`, `column profile version ${COLUMN_PROFILE_VERSION}`, j.v);
  try {
    if (j.kind === 'numeric') return NumericColumnProfile.fromJSON(j as NumericColumnProfileJson);
    if (j.kind === 'categorical') return CategoricalColumnProfile.fromJSON(j as CategoricalColumnProfileJson);
  } catch (err) {
    if (err instanceof TypeError)
      throw invalidParameter(field, 'a well-formed column profile', String(err.message));
    throw err;
  }
  throw invalidParameter(`${field}.kind`, "'numeric' or 'categorical'", j.kind);
}

/** Merges `b` into `a` when both are of the same kind. */
export function mergeColumnProfiles(a: ColumnProfile, b: ColumnProfile, column = 'column'): ColumnProfile {
  if (a.kind === 'numeric' && b.kind === 'numeric') return a.merge(b);
  if (a.kind === 'categorical' && b.kind === 'categorical') return a.merge(b);
  throw invalidParameter(`${column}.kind`, `a ${a.kind} profile (as the one merged into)`, b.kind);
}
