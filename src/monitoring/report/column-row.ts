/** One column's row of the drift report, from its verdict and how the score was computed. */
import type { DriftVerdict } from '../drift/index.js';
import type { ColumnDriftRow, DriftMethod } from './types.js';

/**
 * The report row of a verdict: the verdict's fields, the reference column it was compared with,
 * the method, the histograms drawn, and the bounds of a binned score.
 *
 * @example
 * driftRow(verdict, 'amount', 'exact', { histogram: numericHistogram(ref, cur), categories: null });
 */
export function driftRow(
  v: DriftVerdict,
  refName: string,
  method: DriftMethod,
  histogram: Pick<ColumnDriftRow, 'histogram' | 'categories'>,
  bounds?: [number, number],
): ColumnDriftRow {
  const row: ColumnDriftRow = {
    column: v.column,
    referenceColumn: refName,
    kind: v.kind,
    test: v.test,
    scoreKind: v.scoreKind,
    score: v.score,
    pValue: v.pValue,
    threshold: v.threshold,
    drifted: v.drifted,
    status: v.status,
    method,
    referenceRows: v.referenceRows,
    currentRows: v.currentRows,
    referenceNulls: v.referenceNulls,
    currentNulls: v.currentNulls,
    ...histogram,
  };
  if (bounds) row.bounds = bounds;
  if (v.reason) row.reason = v.reason;
  return row;
}
