/**
 * Statistics of a feature view over what one materialization read (the latest row per entity in
 * its window): rows, and per feature the null share and, for numeric features, min, max and mean.
 * Accumulated column by column while the rows stream, so they cost one pass and no extra query.
 */
import type { FeatureScalar, FeatureView } from './types.js';

/** One feature's statistics. min/max/mean are null for non-numeric features or all-null columns. */
export interface FeatureStatistics {
  feature: string;
  type: string;
  /** Rows with a value. */
  count: number;
  nulls: number;
  /** nulls / rows (0 when there were no rows). */
  nullShare: number;
  min: number | null;
  max: number | null;
  mean: number | null;
}

/** Statistics of one view over one run's rows. */
export interface ViewStatistics {
  rows: number;
  features: FeatureStatistics[];
}

const NUMERIC = new Set(['int64', 'int32', 'float64', 'float32', 'timestamp']);

interface Accumulator {
  feature: string;
  type: string;
  numeric: boolean;
  nulls: number;
  numbers: number;
  min: number;
  max: number;
  sum: number;
}

/** Accumulates `ViewStatistics` over column-major batches of a view's rows. */
export class ViewStatisticsBuilder {
  private rows = 0;
  private readonly features: Accumulator[];

  constructor(view: FeatureView) {
    this.features = view.schema.map((f) => ({
      feature: f.name,
      type: f.type,
      numeric: NUMERIC.has(f.type),
      nulls: 0,
      numbers: 0,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
      sum: 0,
    }));
  }

  /** Adds `n` rows; `columns[k]` holds the values of the view's k-th feature. */
  addColumns(columns: readonly (readonly FeatureScalar[])[], n: number): void {
    this.rows += n;
    for (let k = 0; k < this.features.length; k++) {
      const acc = this.features[k];
      const col = columns[k];
      let { nulls, numbers, min, max, sum } = acc;
      for (let i = 0; i < n; i++) {
        const v = col[i];
        if (v === null || v === undefined) nulls++;
        else if (acc.numeric && typeof v === 'number') {
          numbers++;
          sum += v;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      Object.assign(acc, { nulls, numbers, min, max, sum });
    }
  }

  /** The statistics so far. */
  build(): ViewStatistics {
    return {
      rows: this.rows,
      features: this.features.map((a) => ({
        feature: a.feature,
        type: a.type,
        count: this.rows - a.nulls,
        nulls: a.nulls,
        nullShare: this.rows === 0 ? 0 : a.nulls / this.rows,
        min: a.numbers > 0 ? a.min : null,
        max: a.numbers > 0 ? a.max : null,
        mean: a.numbers > 0 ? a.sum / a.numbers : null,
      })),
    };
  }
}
