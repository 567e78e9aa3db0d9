/**
 * `buildDriftReport`: the served inputs of one model version over a window of the inference log
 * against a reference (by default the training dataset in the model's lineage), every column tested
 * exactly with drift/'s tests (Evidently's default choice), plus dataset and prediction drift and a
 * histogram per column for the report.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { SlipwayError } from '../../core/errors.js';
import {
  type DatasetDriftReport,
  type DriftColumnInput,
  type DriftVerdict,
  detectDatasetDrift,
  detectPredictionDrift,
} from '../drift/index.js';
import { queryInferenceLog } from '../inference-log/index.js';
import { fileRelation, INFERENCE_LOG_FIXED_COLUMNS, profiledColumns } from '../profiles/index.js';
import { type ColumnRead, type ColumnValues, DEFAULT_ROW_CAP, readColumns } from './column-values.js';
import { categoryHistogram, numericHistogram } from './histograms.js';
import { type ReportedModel, type ReportStores, resolveReference } from './reference.js';
import type { ColumnDriftRow, DriftReport } from './types.js';
import { resolveWindow, type WindowSpec } from './window.js';

export interface DriftReportRequest extends WindowSpec {
  stores: ReportStores;
  /** The inference log's root folder (`slipway serve --inference-log DIR`). */
  inferenceLogDir: string;
  /** `name@alias`, `name/version` or `name` (its latest version). */
  model: string;
  /** A Parquet/CSV file or `DATASET/VERSION`; default: the training dataset of the model's lineage. */
  reference?: string;
  /** Whether `reference` may be a file path (default true; the HTTP API allows datasets only). */
  allowFileReference?: boolean;
  /** Rows per side tested exactly; beyond it, a seeded uniform sample (default 200,000). */
  rowCap?: number;
  /** Progress of the reads: which side, rows read, rows to read. */
  onProgress?: (side: 'reference' | 'current', rowsRead: number, rowsTotal: number) => void;
  now?: number;
}

/** A log column's reference counterpart: the same name, else without its `in_`/`out_` prefix. */
function referenceName(logColumn: string, referenceColumns: ReadonlySet<string>): string | undefined {
  if (referenceColumns.has(logColumn)) return logColumn;
  const bare = logColumn.replace(/^(in|out)_/, '');
  return referenceColumns.has(bare) ? bare : undefined;
}

function inputOf(name: string, read: ColumnRead, refName: string, ref: ColumnValues, cur: ColumnValues) {
  return read.kind === 'numeric'
    ? ({
        column: name,
        kind: 'numeric',
        reference: ref.numeric.get(refName)!,
        current: cur.numeric.get(name)!,
      } satisfies DriftColumnInput)
    : ({
        column: name,
        kind: 'categorical',
        reference: ref.categorical.get(refName)!,
        current: cur.categorical.get(name)!,
      } satisfies DriftColumnInput);
}

function rowOf(v: DriftVerdict, input: DriftColumnInput, referenceColumn: string): ColumnDriftRow {
  const row: ColumnDriftRow = {
    column: v.column,
    referenceColumn,
    kind: v.kind,
    test: v.test,
    scoreKind: v.scoreKind,
    score: v.score,
    pValue: v.pValue,
    threshold: v.threshold,
    drifted: v.drifted,
    status: v.status,
    referenceRows: v.referenceRows,
    currentRows: v.currentRows,
    referenceNulls: v.referenceNulls,
    currentNulls: v.currentNulls,
    histogram:
      input.kind === 'numeric'
        ? numericHistogram(input.reference as Float64Array, input.current as Float64Array)
        : null,
    categories:
      input.kind === 'categorical'
        ? categoryHistogram(input.reference as (string | null)[], input.current as (string | null)[])
        : null,
  };
  if (v.reason) row.reason = v.reason;
  return row;
}

/**
 * The model version to report on. A `name/version` the registry does not know (a model served from
 * a model-repository folder) is still reported when a reference is given: the log keys it the same.
 */
async function resolveModel(req: DriftReportRequest): Promise<ReportedModel> {
  try {
    return await req.stores.registry.resolve(req.model);
  } catch (err) {
    const m = /^(.+)\/(\d+)$/.exec(req.model);
    if (!m || req.reference === undefined || (err as { code?: unknown }).code !== 'RESOURCE_DOES_NOT_EXIST')
      throw err;
    return { name: m[1]!, version: m[2]! };
  }
}

/**
 * Builds the drift report of a model's served traffic.
 *
 * @example
 * const report = await buildDriftReport({
 *   stores: { registry: platform.registry, datasets: platform.datasets, artifacts: platform.artifacts.store },
 *   inferenceLogDir: './inference-log', model: 'fraud@champion', window: '24h',
 * });
 * console.log(report.datasetDrift.drifted, report.columns.filter((c) => c.drifted).map((c) => c.column));
 */
export async function buildDriftReport(req: DriftReportRequest): Promise<DriftReport> {
  const rowCap = req.rowCap ?? DEFAULT_ROW_CAP;
  if (!Number.isSafeInteger(rowCap) || rowCap < 1)
    throw new SlipwayError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value for 'rowCap': expected a positive whole number, got ${rowCap}`,
    );
  const window = resolveWindow(req, req.now ?? Date.now());
  const modelVersion = await resolveModel(req);
  const reference = await resolveReference(req.stores, modelVersion, req.reference, req.allowFileReference);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const log = await queryInferenceLog(
      {
        dir: req.inferenceLogDir,
        model: modelVersion.name,
        version: modelVersion.version,
        from: window.from,
        to: window.to,
      },
      conn,
    );
    const logColumns = (
      await profiledColumns(conn, log.sql, { exclude: INFERENCE_LOG_FIXED_COLUMNS })
    ).filter((c) => /^(in|out)_/.test(c.name));
    if (logColumns.length === 0 || (await log.count()) === 0) {
      throw new SlipwayError(
        'RESOURCE_DOES_NOT_EXIST',
        `No predictions of model '${modelVersion.name}' version ${modelVersion.version} in the inference log at ${req.inferenceLogDir} between ${window.from.toISOString()} and ${window.to.toISOString()}`,
        { resource: 'inference log window', id: `${modelVersion.name}/${modelVersion.version}` },
      );
    }
    const refSql = fileRelation(reference.path);
    let refColumns: Set<string>;
    try {
      refColumns = new Set((await profiledColumns(conn, refSql, {})).map((c) => c.name));
    } catch (err) {
      throw new SlipwayError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for 'reference': expected a readable Parquet or CSV file, got ${reference.source} (${(err as Error).message.split('\n')[0]})`,
        { field: 'reference' },
      );
    }
    const matched = logColumns
      .map((c) => ({ read: c, refName: referenceName(c.name, refColumns) }))
      .filter((m): m is { read: ColumnRead; refName: string } => m.refName !== undefined);
    const unmatchedColumns = logColumns
      .filter((c) => c.name.startsWith('in_') && referenceName(c.name, refColumns) === undefined)
      .map((c) => c.name);
    const ref = await readColumns(
      conn,
      refSql,
      matched.map((m) => ({ name: m.refName, kind: m.read.kind })),
      rowCap,
      (n, total) => req.onProgress?.('reference', n, total),
    );
    const cur = await readColumns(
      conn,
      log.sql,
      matched.map((m) => m.read),
      rowCap,
      (n, total) => req.onProgress?.('current', n, total),
    );
    const features = matched.filter((m) => m.read.name.startsWith('in_'));
    const inputs = features.map((m) => inputOf(m.read.name, m.read, m.refName, ref, cur));
    const dataset: DatasetDriftReport = detectDatasetDrift(inputs);
    const columns = dataset.columns.map((v, i) => rowOf(v, inputs[i]!, features[i]!.refName));
    const output = matched.find((m) => m.read.name.startsWith('out_'));
    let predictionDrift: ColumnDriftRow | null = null;
    if (output) {
      const input = inputOf(output.read.name, output.read, output.refName, ref, cur);
      predictionDrift = rowOf(
        detectPredictionDrift({ ...input, column: input.column }),
        input,
        output.refName,
      );
    }
    return {
      model: modelVersion.name,
      version: modelVersion.version,
      window: { from: window.from.toISOString(), to: window.to.toISOString(), label: window.label },
      reference: {
        kind: reference.kind,
        source: reference.source,
        trainingDataset: reference.trainingDataset,
      },
      rows: { reference: ref.rows, current: cur.rows },
      method: ref.rows.sampled || cur.rows.sampled ? 'sample' : 'exact',
      rowCap,
      columns,
      unmatchedColumns,
      datasetDrift: {
        drifted: dataset.datasetDrift,
        testedColumns: dataset.testedColumns,
        driftedColumns: dataset.driftedColumns,
        share: dataset.share,
        driftShare: dataset.driftShare,
      },
      predictionDrift,
      generatedAt: new Date(req.now ?? Date.now()).toISOString(),
    };
  } finally {
    conn.closeSync();
    db.closeSync();
    await reference.release();
  }
}
