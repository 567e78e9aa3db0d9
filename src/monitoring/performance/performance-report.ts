/**
 * Model performance from the inference log and the labels that arrived for it: the log's window is
 * read with DuckDB, labels are loaded from the label store into DuckDB and joined to their
 * predictions (label-tables.ts), and metrics are computed per time window — and per segment, the
 * values of one log column — over the labelled predictions. Binary classifiers also get CBPE
 * estimates over every prediction of the window, labelled or not.
 */

import { sqlIdent } from '../../core/duckdb-sql.js';
import { invalidParameter } from '../../core/errors.js';
import { queryInferenceLog } from '../inference-log/index.js';
import { type EstimatedPerformance, estimatePerformance } from './cbpe.js';
import { accuracy, binaryConfusion, confusionMetrics, logLoss, rocAuc } from './classification-metrics.js';
import { matchLabels } from './label-tables.js';
import { meanAbsoluteError, rootMeanSquaredError } from './regression-metrics.js';
import type { LabelStore, LabelValue } from './types.js';

/** What the model predicts: a score of class 1, a class, or a number. */
export type PerformanceTask = 'binary' | 'multiclass' | 'regression';

/** Which predictions to measure, and how. */
export interface PerformanceQuery {
  /** The inference log folder (as `--inference-log` was given). */
  dir: string;
  model: string;
  version?: string;
  from?: Date;
  to?: Date;
  task: PerformanceTask;
  /** The log column holding the prediction, e.g. `out_score`. */
  prediction: string;
  /** Binary: a score ≥ threshold predicts class 1 (default 0.5). */
  threshold?: number;
  /** Binary: the label value that means class 1 (default 1). */
  positiveLabel?: LabelValue;
  /** Window length in ms (default one day); windows are aligned to the epoch. */
  windowMs?: number;
  /** A log column to segment by (e.g. `in_country`, `req_region`). */
  segment?: string;
}

/** Realized metrics of one group; those that do not apply to the task are absent. */
export interface RealizedPerformance {
  accuracy?: number | null;
  precision?: number | null;
  recall?: number | null;
  f1?: number | null;
  rocAuc?: number | null;
  logLoss?: number | null;
  mae?: number | null;
  rmse?: number | null;
}

/** One window (and segment, unless null: the whole window). */
export interface PerformanceGroup {
  windowStart: number;
  windowEnd: number;
  segment: string | null;
  /** Predictions logged. */
  predictions: number;
  /** Of them, with a label. */
  labelled: number;
  realized: RealizedPerformance;
  /** Binary classifiers: CBPE over all predictions of the group. */
  estimated?: EstimatedPerformance;
}

export interface PerformanceReport {
  model: string;
  task: PerformanceTask;
  groups: PerformanceGroup[];
  /** Labels loaded that matched no logged prediction in the selection. */
  unmatchedLabels: number;
}

const DAY = 86_400_000;

interface Row {
  window_start: number | bigint;
  segment: unknown;
  prediction: unknown;
  value_number: number | null;
  value_text: string | null;
}

function check(q: PerformanceQuery): void {
  if (!['binary', 'multiclass', 'regression'].includes(q.task))
    throw invalidParameter('task', 'binary, multiclass or regression', q.task);
  const w = q.windowMs ?? DAY;
  if (!Number.isSafeInteger(w) || w <= 0)
    throw invalidParameter('windowMs', 'a positive whole number of ms', w);
  const t = q.threshold ?? 0.5;
  if (typeof t !== 'number' || !(t >= 0 && t <= 1))
    throw invalidParameter('threshold', 'a number in [0, 1]', t);
}

function realized(q: PerformanceQuery, rows: Row[]): RealizedPerformance {
  const labelled = rows.filter((r) => r.value_number !== null || r.value_text !== null);
  if (q.task === 'multiclass') {
    const labels = labelled.map((r) => String(r.value_text ?? r.value_number));
    return {
      accuracy: accuracy(
        labels,
        labelled.map((r) => String(r.prediction)),
      ),
    };
  }
  const numeric = labelled.filter((r) => typeof r.prediction === 'number');
  const predictions = numeric.map((r) => r.prediction as number);
  if (q.task === 'regression') {
    const labels = numeric.map((r) => r.value_number ?? Number.NaN);
    return { mae: meanAbsoluteError(labels, predictions), rmse: rootMeanSquaredError(labels, predictions) };
  }
  const positive = q.positiveLabel ?? 1;
  const labels = numeric.map((r) => ((r.value_text ?? r.value_number) === positive ? 1 : 0));
  return {
    ...confusionMetrics(binaryConfusion(labels, predictions, q.threshold ?? 0.5)),
    rocAuc: rocAuc(labels, predictions),
    logLoss: logLoss(labels, predictions),
  };
}

function group(
  q: PerformanceQuery,
  windowStart: number,
  segment: string | null,
  rows: Row[],
): PerformanceGroup {
  const out: PerformanceGroup = {
    windowStart,
    windowEnd: windowStart + (q.windowMs ?? DAY),
    segment,
    predictions: rows.length,
    labelled: rows.filter((r) => r.value_number !== null || r.value_text !== null).length,
    realized: realized(q, rows),
  };
  if (q.task === 'binary') {
    const scores = rows.filter((r) => typeof r.prediction === 'number').map((r) => r.prediction as number);
    out.estimated = estimatePerformance(scores, q.threshold ?? 0.5);
  }
  return out;
}

/**
 * Measures a model's performance per window (and segment) from its inference log and labels.
 *
 * @example
 * const report = await measurePerformance(labels, {
 *   dir: './inference-log', model: 'fraud', task: 'binary', prediction: 'out_score', segment: 'in_country',
 * });
 */
export async function measurePerformance(store: LabelStore, q: PerformanceQuery): Promise<PerformanceReport> {
  check(q);
  const log = await queryInferenceLog({
    dir: q.dir,
    model: q.model,
    version: q.version,
    from: q.from,
    to: q.to,
  });
  try {
    const columns = await log.columns();
    const names = new Set(columns.map((c) => c.name));
    for (const field of ['prediction', 'segment'] as const) {
      const col = q[field];
      if (col !== undefined && !names.has(col))
        throw invalidParameter(field, `a column of the inference log (${[...names].join(', ')})`, col);
    }
    const labels = await store.list({ model: q.model, from: q.from?.getTime() });
    const { unmatchedEntityLabels, unmatchedRequestLabels } = await matchLabels(
      log.connection,
      log.sql,
      columns,
      labels,
    );
    const w = q.windowMs ?? DAY;
    const segment = q.segment === undefined ? 'NULL' : `CAST(p.${sqlIdent(q.segment)} AS VARCHAR)`;
    const rows = (await log.rows(
      `SELECT (epoch_ms(p.ts) // ${w}) * ${w} AS window_start, ${segment} AS segment,
         p.${sqlIdent(q.prediction)} AS prediction, l.value_number, l.value_text
       FROM inference_log p LEFT JOIN matched_labels l USING (request_id, row_index)
       ORDER BY window_start`,
    )) as unknown as Row[];
    const groups: PerformanceGroup[] = [];
    const byWindow = new Map<number, Row[]>();
    for (const r of rows) {
      const k = Number(r.window_start);
      const list = byWindow.get(k) ?? [];
      list.push(r);
      byWindow.set(k, list);
    }
    for (const [start, windowRows] of byWindow) {
      groups.push(group(q, start, null, windowRows));
      if (q.segment === undefined) continue;
      const bySegment = new Map<string, Row[]>();
      for (const r of windowRows) {
        const s = r.segment === null ? '(null)' : String(r.segment);
        const list = bySegment.get(s) ?? [];
        list.push(r);
        bySegment.set(s, list);
      }
      for (const s of [...bySegment.keys()].sort()) groups.push(group(q, start, s, bySegment.get(s)!));
    }
    return {
      model: q.model,
      task: q.task,
      groups,
      unmatchedLabels: unmatchedEntityLabels + unmatchedRequestLabels,
    };
  } finally {
    log.close();
  }
}
