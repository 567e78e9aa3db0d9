/**
 * Dataset drift: every column tested on its own (default test or a per-column override), and the
 * dataset declared drifted when the share of drifted columns reaches `driftShare` (0.5 by default,
 * Evidently's). Columns without data on one side ('insufficient_data') are reported but left out of
 * the share, so an empty column neither raises nor hides drift.
 *
 * Prediction drift is the same test on the model's output column.
 */
import { invalidParameter } from '../../core/errors.js';
import {
  type DriftColumnInput,
  type DriftTestOverride,
  type DriftVerdict,
  detectColumnDrift,
} from './column-drift.js';
import type { DriftTestOptions } from './drift-tests.js';
import type { CategoricalValues, NumericValues } from './samples.js';

/** Evidently's default share of drifted columns that makes the dataset drifted. */
export const DEFAULT_DRIFT_SHARE = 0.5;

export interface DatasetDriftOptions extends DriftTestOptions {
  /** Per-column test and threshold, by column name. */
  overrides?: Readonly<Record<string, DriftTestOverride>>;
  /** Share of tested columns that must drift for dataset drift, in (0, 1]. */
  driftShare?: number;
}

export interface DatasetDriftReport {
  columns: DriftVerdict[];
  /** Columns with a verdict (status 'tested'). */
  testedColumns: number;
  driftedColumns: number;
  /** driftedColumns / testedColumns (0 when nothing could be tested). */
  share: number;
  driftShare: number;
  datasetDrift: boolean;
}

/** Tests every column and decides dataset drift. */
export function detectDatasetDrift(
  columns: readonly DriftColumnInput[],
  options: DatasetDriftOptions = {},
): DatasetDriftReport {
  const driftShare = checkDatasetDriftOptions(options, new Set(columns.map((c) => c.column)));
  return summarizeDatasetDrift(
    columns.map((c) => detectColumnDrift(c, options.overrides?.[c.column], options)),
    driftShare,
  );
}

/** The dataset-drift share in force, after checking it and that every override names a tested column. */
export function checkDatasetDriftOptions(options: DatasetDriftOptions, columns: ReadonlySet<string>): number {
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (!(typeof driftShare === 'number' && driftShare > 0 && driftShare <= 1)) {
    throw invalidParameter('driftShare', 'a share in (0, 1]', driftShare);
  }
  for (const name of Object.keys(options.overrides ?? {})) {
    if (!columns.has(name)) throw invalidParameter(`overrides.${name}`, 'a column being tested', name);
  }
  return driftShare;
}

/** Dataset drift from column verdicts: the share of tested columns that drifted, against `driftShare`. */
export function summarizeDatasetDrift<V extends Pick<DriftVerdict, 'status' | 'drifted'>>(
  verdicts: V[],
  driftShare: number,
): {
  columns: V[];
  testedColumns: number;
  driftedColumns: number;
  share: number;
  driftShare: number;
  datasetDrift: boolean;
} {
  const tested = verdicts.filter((v) => v.status === 'tested');
  const drifted = tested.filter((v) => v.drifted).length;
  const share = tested.length === 0 ? 0 : drifted / tested.length;
  return {
    columns: verdicts,
    testedColumns: tested.length,
    driftedColumns: drifted,
    share,
    driftShare,
    datasetDrift: tested.length > 0 && share >= driftShare,
  };
}

/** A model's outputs: regression values (numeric) or class labels (categorical). */
export type PredictionDriftInput =
  | { kind: 'numeric'; reference: NumericValues; current: NumericValues; column?: string }
  | { kind: 'categorical'; reference: CategoricalValues; current: CategoricalValues; column?: string };

/** Prediction drift: the column drift test applied to the model's outputs (column 'prediction'). */
export function detectPredictionDrift(
  input: PredictionDriftInput,
  override?: DriftTestOverride,
  options: DriftTestOptions = {},
): DriftVerdict {
  const column = input.column ?? 'prediction';
  const asColumn =
    input.kind === 'numeric'
      ? { column, kind: 'numeric' as const, reference: input.reference, current: input.current }
      : { column, kind: 'categorical' as const, reference: input.reference, current: input.current };
  return detectColumnDrift(asColumn, override, options);
}
