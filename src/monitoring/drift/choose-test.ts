/**
 * Evidently's default drift test for a column:
 *
 * | reference rows | numeric, > 5 distinct values | otherwise (categorical, or ≤ 5 distinct values) |
 * |----------------|------------------------------|--------------------------------------------------|
 * | ≤ 1000         | ks                           | chisquare when > 2 distinct values, else z       |
 * | > 1000         | wasserstein (normed)         | jensenshannon                                    |
 *
 * Rows and distinct values count non-missing values only; distinct values are counted over
 * reference ∪ current, as Evidently does.
 */
import type { ColumnKind, DriftTestName } from './drift-tests.js';

/** Reference rows at or below which the small-sample tests (ks, chisquare, z) are chosen. */
export const SMALL_REFERENCE_MAX_ROWS = 1000;
/** Numeric columns with at most this many distinct values are tested as categories. */
export const FEW_VALUES_MAX = 5;

/** What the default test choice looks at. */
export interface ColumnDriftStats {
  kind: ColumnKind;
  /** Non-missing reference rows. */
  referenceRows: number;
  /** Distinct non-missing values over reference ∪ current. */
  distinctValues: number;
}

/**
 * The default drift test for a column (Evidently's choice).
 *
 * @example
 * chooseDriftTest({ kind: 'numeric', referenceRows: 500, distinctValues: 480 }); // 'ks'
 * chooseDriftTest({ kind: 'categorical', referenceRows: 50_000, distinctValues: 12 }); // 'jensenshannon'
 */
export function chooseDriftTest(stats: ColumnDriftStats): DriftTestName {
  const manyValues = stats.kind === 'numeric' && stats.distinctValues > FEW_VALUES_MAX;
  if (stats.referenceRows <= SMALL_REFERENCE_MAX_ROWS) {
    if (manyValues) return 'ks';
    return stats.distinctValues > 2 ? 'chisquare' : 'z';
  }
  return manyValues ? 'wasserstein' : 'jensenshannon';
}
