/**
 * Training-serving skew of one served model version: its logged inputs over the last window
 * against the training dataset its lineage records (buildDriftReport), condensed to what the
 * monitor keeps, records for alert rules and exports on /metrics. A version that cannot be checked
 * (not registered, no training dataset in its lineage, no traffic in the window) is reported as
 * skipped with the reason, never as "no drift".
 */
import { buildDriftReport } from '../report/index.js';
import type { ReportStores } from '../report/reference.js';

/** One column's verdict. */
export interface SkewColumn {
  column: string;
  test: string;
  score: number | null;
  drifted: boolean;
}

/** The latest skew check of one model version. */
export type SkewResult = {
  model: string;
  version: string;
  checkedAt: string;
} & (
  | {
      status: 'checked';
      /** The reference compared against (the lineage's training dataset). */
      reference: string;
      window: { from: string; to: string };
      rows: { reference: number; current: number };
      datasetDrift: boolean;
      /** Share of tested columns that drifted. */
      share: number;
      columns: SkewColumn[];
    }
  | { status: 'skipped'; reason: string; code: string }
);

/**
 * Checks one version's served inputs of `[now − windowMs, now)` against its training dataset.
 *
 * @example const skew = await checkSkew(stores, './inference-log', { model: 'fraud', version: '3' }, 3_600_000, Date.now());
 */
export async function checkSkew(
  stores: ReportStores,
  inferenceLogDir: string,
  target: { model: string; version: string },
  windowMs: number,
  now: number,
): Promise<SkewResult> {
  const base = { model: target.model, version: target.version, checkedAt: new Date(now).toISOString() };
  try {
    const report = await buildDriftReport({
      stores,
      inferenceLogDir,
      model: `${target.model}/${target.version}`,
      from: new Date(now - windowMs),
      to: new Date(now),
      allowFileReference: false,
      now,
    });
    return {
      ...base,
      status: 'checked',
      reference: report.reference.source,
      window: { from: report.window.from, to: report.window.to },
      rows: { reference: report.rows.reference.rows, current: report.rows.current.rows },
      datasetDrift: report.datasetDrift.drifted,
      share: report.datasetDrift.share,
      columns: report.columns
        .filter((c) => c.status === 'tested')
        .map((c) => ({ column: c.column, test: c.test, score: c.score, drifted: c.drifted })),
    };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return {
      ...base,
      status: 'skipped',
      reason: err instanceof Error ? err.message : String(err),
      code: typeof code === 'string' ? code : 'INTERNAL_ERROR',
    };
  }
}
