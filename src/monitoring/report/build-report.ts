/**
 * `buildDriftReport`: the served inputs of one model version over a window of the inference log
 * against a reference (by default the training dataset in the model's lineage), every column tested
 * exactly with drift/'s tests (Evidently's default choice), plus dataset and prediction drift and a
 * histogram per column for the report.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { invalidParameter, SlipwayError } from '../../core/errors.js';
import {
  DEFAULT_DRIFT_SHARE,
  type DriftColumnInput,
  type DriftVerdict,
  detectColumnDrift,
  detectPredictionDrift,
  summarizeDatasetDrift,
} from '../drift/index.js';
import { inferenceLogScans, queryInferenceLog } from '../inference-log/index.js';
import { fileRelation, INFERENCE_LOG_FIXED_COLUMNS, profiledColumns } from '../profiles/index.js';
import { binnedColumnDrift } from './binned-columns.js';
import { DEFAULT_BINS } from './column-bins.js';
import { driftRow } from './column-row.js';
import { type ColumnRead, type ColumnValues, DEFAULT_ROW_CAP, readColumns } from './column-values.js';
import { categoryHistogram, numericHistogram } from './histograms.js';
import { type ReportedModel, type ReportStores, resolveReference } from './reference.js';
import type { ColumnDriftRow, DriftMethod, DriftReport, SideRows } from './types.js';
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
  /**
   * Rows per side read into memory and tested on raw values (default 200,000). Beyond it, every
   * row is still counted — through DuckDB, in constant memory (`largeMethod: 'binned'`, the
   * default) — or, with `largeMethod: 'sample'`, a seeded uniform sample of `rowCap` rows is tested.
   */
  rowCap?: number;
  largeMethod?: 'binned' | 'sample';
  /** Fine bins per numeric column on the binned path (default 8192; more: tighter bounds). */
  bins?: number;
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

function rowOf(
  v: DriftVerdict,
  input: DriftColumnInput,
  referenceColumn: string,
  method: DriftMethod,
): ColumnDriftRow {
  return driftRow(v, referenceColumn, method, {
    histogram:
      input.kind === 'numeric'
        ? numericHistogram(input.reference as Float64Array, input.current as Float64Array)
        : null,
    categories:
      input.kind === 'categorical'
        ? categoryHistogram(input.reference as (string | null)[], input.current as (string | null)[])
        : null,
  });
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
  const largeMethod = req.largeMethod ?? 'binned';
  if (largeMethod !== 'binned' && largeMethod !== 'sample')
    throw invalidParameter('largeMethod', "'binned' or 'sample'", largeMethod);
  const bins = req.bins ?? DEFAULT_BINS;
  if (!(Number.isSafeInteger(bins) && bins >= 16 && bins <= 1_048_576))
    throw invalidParameter('bins', 'a whole number of bins in [16, 1048576]', bins);
  const window = resolveWindow(req, req.now ?? Date.now());
  const modelVersion = await resolveModel(req);
  const reference = await resolveReference(req.stores, modelVersion, req.reference, req.allowFileReference);
  // Reads stream; what DuckDB buffers beyond this spills to a private folder that goes with the report.
  const spill = await mkdtemp(join(tmpdir(), 'slipway-report-spill-'));
  const db = await DuckDBInstance.create(':memory:', {
    memory_limit: REPORT_MEMORY_LIMIT,
    temp_directory: spill,
    // One DuckDB thread decodes the next chunk while JavaScript bins this one (the binning is the
    // bottleneck); more threads only add buffers and allocator arenas to the peak memory.
    threads: '1',
  });
  const conn = await db.connect();
  // Prefetching reads a whole row group of every selected column at once (~100 MB for 122,880
  // rows × 100 DOUBLE columns); without it the reader holds one column's pages at a time.
  await conn.run('LOAD parquet; SET disable_parquet_prefetching = true');
  try {
    const selection = {
      dir: req.inferenceLogDir,
      model: modelVersion.name,
      version: modelVersion.version,
      from: window.from,
      to: window.to,
    };
    const log = await queryInferenceLog(selection, conn);
    const logColumns = (
      await profiledColumns(conn, log.sql, { exclude: INFERENCE_LOG_FIXED_COLUMNS })
    ).filter((c) => /^(in|out)_/.test(c.name));
    const currentRows = logColumns.length === 0 ? 0 : await log.count();
    if (currentRows === 0) {
      throw new SlipwayError(
        'RESOURCE_DOES_NOT_EXIST',
        `No predictions of model '${modelVersion.name}' version ${modelVersion.version} in the inference log at ${req.inferenceLogDir} between ${window.from.toISOString()} and ${window.to.toISOString()}`,
        { resource: 'inference log window', id: `${modelVersion.name}/${modelVersion.version}` },
      );
    }
    const refSql = fileRelation(reference.path);
    let refColumns: Set<string>;
    let referenceRows: number;
    try {
      refColumns = new Set((await profiledColumns(conn, refSql, {})).map((c) => c.name));
      referenceRows = Number(
        (await conn.runAndReadAll(`SELECT count(*) FROM (${refSql})`)).getRowsJS()[0]![0],
      );
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
    const large = referenceRows > rowCap || currentRows > rowCap;
    const tested =
      large && largeMethod === 'binned'
        ? await binnedRows(
            conn,
            refSql,
            log.sql,
            await inferenceLogScans(conn, selection),
            matched,
            bins,
            currentRows,
            req,
          )
        : await valueRows(conn, refSql, log.sql, matched, rowCap, req);
    const features = matched.filter((m) => m.read.name.startsWith('in_'));
    const columns = features.map((m) => tested.rows.get(m.read.name)!);
    const dataset = summarizeDatasetDrift(columns, DEFAULT_DRIFT_SHARE);
    const output = matched.find((m) => m.read.name.startsWith('out_'));
    const predictionDrift = output ? tested.rows.get(output.read.name)! : null;
    return {
      model: modelVersion.name,
      version: modelVersion.version,
      window: { from: window.from.toISOString(), to: window.to.toISOString(), label: window.label },
      reference: {
        kind: reference.kind,
        source: reference.source,
        trainingDataset: reference.trainingDataset,
      },
      rows: tested.sides,
      method: tested.method,
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
    await rm(spill, { recursive: true, force: true });
    await reference.release();
  }
}

/** DuckDB's memory for a report: the reads stream, so this bounds the process whatever the rows. */
const REPORT_MEMORY_LIMIT = '128MiB';

interface TestedColumns {
  rows: Map<string, ColumnDriftRow>;
  sides: { reference: SideRows; current: SideRows };
  method: DriftMethod;
}

type Matched = Array<{ read: ColumnRead; refName: string }>;

/** Every row of both sides counted through DuckDB (a side beyond the row cap). */
async function binnedRows(
  conn: DuckDBConnection,
  refSql: string,
  curSql: string,
  currentScans: readonly string[],
  matched: Matched,
  bins: number,
  currentRows: number,
  req: DriftReportRequest,
): Promise<TestedColumns> {
  const r = await binnedColumnDrift(
    conn,
    refSql,
    curSql,
    matched.map((m) => ({ name: m.read.name, refName: m.refName, kind: m.read.kind })),
    { bins, onProgress: req.onProgress, currentRows, currentScans },
  );
  const side = (rows: number): SideRows => ({ rows, used: rows, sampled: false });
  const binned = [...r.rows.values()].some((row) => row.method === 'binned');
  return {
    rows: r.rows,
    sides: { reference: side(r.referenceRows), current: side(r.currentRows) },
    method: binned ? 'binned' : 'exact',
  };
}

/** Raw values in memory: every row up to the row cap, else a seeded uniform sample. */
async function valueRows(
  conn: DuckDBConnection,
  refSql: string,
  curSql: string,
  matched: Matched,
  rowCap: number,
  req: DriftReportRequest,
): Promise<TestedColumns> {
  const ref = await readColumns(
    conn,
    refSql,
    matched.map((m) => ({ name: m.refName, kind: m.read.kind })),
    rowCap,
    (n, total) => req.onProgress?.('reference', n, total),
  );
  const cur = await readColumns(
    conn,
    curSql,
    matched.map((m) => m.read),
    rowCap,
    (n, total) => req.onProgress?.('current', n, total),
  );
  const method: DriftMethod = ref.rows.sampled || cur.rows.sampled ? 'sample' : 'exact';
  const rows = new Map<string, ColumnDriftRow>();
  for (const m of matched) {
    const input = inputOf(m.read.name, m.read, m.refName, ref, cur);
    const verdict = m.read.name.startsWith('out_')
      ? detectPredictionDrift({ ...input, column: input.column })
      : detectColumnDrift(input);
    rows.set(m.read.name, rowOf(verdict, input, m.refName, method));
  }
  return { rows, sides: { reference: ref.rows, current: cur.rows }, method };
}
