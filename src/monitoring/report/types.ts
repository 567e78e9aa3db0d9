/**
 * The drift report's JSON: what `buildDriftReport` returns, `GET /api/v1/monitoring/drift` serves
 * and `slipway monitor report --json` prints; the HTML report renders the same object.
 */
import type { ColumnKind, DriftTestName } from '../drift/index.js';

/** Bins of a numeric column over reference ∪ current (Sturges edges, numpy semantics). */
export interface NumericHistogram {
  edges: number[];
  reference: number[];
  current: number[];
}

/** Rows per category (the most frequent over both sides; the rest summed as `other`). */
export interface CategoryHistogram {
  categories: string[];
  reference: number[];
  current: number[];
  /** Rows in categories not listed, per side. */
  other: { reference: number; current: number };
}

/** One column's verdict and the histogram that shows it. */
export interface ColumnDriftRow {
  /** The name in the inference log (`in_amount`). */
  column: string;
  /** The reference column it was compared with (`amount` or `in_amount`). */
  referenceColumn: string;
  kind: ColumnKind;
  test: DriftTestName;
  scoreKind: 'p_value' | 'distance';
  score: number | null;
  pValue: number | null;
  threshold: number;
  drifted: boolean;
  status: 'tested' | 'insufficient_data';
  reason?: string;
  /** How the score was computed: see `DriftMethod`. */
  method: DriftMethod;
  /** For method 'binned': the interval the exact score lies in (the score is an estimate inside). */
  bounds?: [number, number];
  referenceRows: number;
  currentRows: number;
  referenceNulls: number;
  currentNulls: number;
  histogram: NumericHistogram | null;
  categories: CategoryHistogram | null;
}

/**
 * 'exact': from every value (raw values, or exact counts per value); 'binned': normed Wasserstein
 * from fine bins over every row, within `bounds`; 'sample': a seeded uniform sample of `rowCap`
 * rows per side (only when asked for with `largeMethod: 'sample'`).
 */
export type DriftMethod = 'exact' | 'binned' | 'sample';

/** How many rows a side had and how many the tests saw (a uniform sample beyond the row cap). */
export interface SideRows {
  rows: number;
  used: number;
  sampled: boolean;
}

export interface DriftReport {
  model: string;
  version: string;
  window: { from: string; to: string; label: string };
  reference: { kind: 'file' | 'dataset'; source: string; trainingDataset: boolean };
  rows: { reference: SideRows; current: SideRows };
  /**
   * 'exact': every column exact; 'binned': a side beyond `rowCap` was read whole through DuckDB and
   * some column scores are binned estimates with bounds (per column `method`); 'sample': a side
   * beyond `rowCap` was sampled (`largeMethod: 'sample'`).
   */
  method: DriftMethod;
  rowCap: number;
  columns: ColumnDriftRow[];
  /** Logged input columns the reference has no column for (not tested). */
  unmatchedColumns: string[];
  datasetDrift: {
    drifted: boolean;
    testedColumns: number;
    driftedColumns: number;
    share: number;
    driftShare: number;
  };
  /** The model's output compared with the same column of the reference, when the reference has it. */
  predictionDrift: ColumnDriftRow | null;
  generatedAt: string;
}
