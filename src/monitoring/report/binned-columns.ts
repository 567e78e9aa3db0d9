/**
 * The drift report's large-data path (a side beyond the row cap): every row of both sides is
 * counted, in constant memory, instead of testing a sample.
 *
 * 1. One DuckDB aggregate over the reference: per numeric column the finite rows, exact min, max
 *    and population std; the finite values themselves where there are ≤ 1000 (the KS case).
 * 2. One streamed pass per side over every numeric column at once (DuckDB reads only those
 *    columns, in its vectors): each value goes into fine bins over the reference's [min, max]
 *    (column-bins.ts), and for KS columns into counts at the reference's values.
 * 3. Per column, Evidently's test choice as drift/ makes it: KS is exact (from counts at the
 *    reference values); normed Wasserstein comes from the bins with a rigorous interval
 *    (`bounds`, method 'binned'); columns with few values (≤ 5 over both sides: the bins show
 *    when there may be) and categorical columns are tested exactly on value counts from a DuckDB
 *    GROUP BY.
 */
import type { DuckDBConnection, DuckDBVector } from '@duckdb/node-api';
import { sqlIdent } from '../../core/duckdb-sql.js';
import {
  type CategoricalSample,
  type ColumnKind,
  DRIFT_TESTS,
  type DriftVerdict,
  detectSampleDrift,
  emptySideReason,
  FEW_VALUES_MAX,
  isDrifted,
  resolveTest,
  SMALL_REFERENCE_MAX_ROWS,
  WASSERSTEIN_MIN_NORM,
} from '../drift/index.js';
import { ksPValue } from '../drift/ks-test.js';
import { histogramOfBins } from './binned-histogram.js';
import {
  DEFAULT_BINS,
  ksStatisticOfValueBins,
  normedWassersteinOfBins,
  UniformBins,
  ValueBins,
} from './column-bins.js';
import { driftRow } from './column-row.js';
import { categoryHistogramOfCounts } from './histograms.js';
import { releaseDroppedChunks } from './native-memory.js';
import type { ColumnDriftRow } from './types.js';

/** A column compared: its name in the log, in the reference, and its kind. */
export interface BinnedColumn {
  name: string;
  refName: string;
  kind: ColumnKind;
}

/** Rows read so far on a side (for a progress line). */
export type BinnedProgress = (side: 'reference' | 'current', rowsRead: number, rowsTotal: number) => void;

export interface BinnedColumnsResult {
  rows: Map<string, ColumnDriftRow>;
  referenceRows: number;
  currentRows: number;
}

interface NumericState {
  column: BinnedColumn;
  refRows: number;
  std: number;
  /** The reference's sorted finite values when there are ≤ 1000 of them (KS). */
  refValues: Float64Array | null;
  ref: UniformBins;
  cur: UniformBins;
  curAtValues: ValueBins | null;
}

const finite = (c: string) =>
  `CASE WHEN isfinite(TRY_CAST(${sqlIdent(c)} AS DOUBLE)) THEN TRY_CAST(${sqlIdent(c)} AS DOUBLE) END`;

async function countRows(conn: DuckDBConnection, sql: string): Promise<number> {
  return Number((await conn.runAndReadAll(`SELECT count(*) FROM (${sql})`)).getRowsJS()[0]![0]);
}

/** Step 1: the reference's numeric statistics (one aggregate query) and small columns' values. */
async function referenceStats(
  conn: DuckDBConnection,
  sql: string,
  columns: BinnedColumn[],
  bins: number,
): Promise<NumericState[]> {
  if (columns.length === 0) return [];
  const parts = columns.flatMap((c, i) => {
    const v = finite(c.refName);
    return [
      `count(${v}) AS n${i}`,
      `min(${v}) AS lo${i}`,
      `max(${v}) AS hi${i}`,
      `stddev_pop(${v}) AS sd${i}`,
    ];
  });
  const row = (await conn.runAndReadAll(`SELECT ${parts.join(', ')} FROM (${sql})`)).getRowObjectsJS()[0]!;
  const states: NumericState[] = [];
  for (const [i, column] of columns.entries()) {
    const n = Number(row[`n${i}`]);
    const lo = n > 0 ? Number(row[`lo${i}`]) : 0;
    const hi = n > 0 ? Number(row[`hi${i}`]) : 0;
    let refValues: Float64Array | null = null;
    if (n > 0 && n <= SMALL_REFERENCE_MAX_ROWS) {
      const v = finite(column.refName);
      const r = await conn.runAndReadAll(`SELECT ${v} AS v FROM (${sql}) WHERE ${v} IS NOT NULL ORDER BY v`);
      refValues = Float64Array.from(r.getRowsJS(), (x) => Number(x[0]));
    }
    const distinct = refValues ? Float64Array.from(new Set(refValues)) : null;
    states.push({
      column,
      refRows: n,
      std: n > 0 ? Number(row[`sd${i}`] ?? 0) : 0,
      refValues,
      ref: new UniformBins(lo, hi, bins),
      cur: new UniformBins(lo, hi, bins),
      curAtValues: distinct ? new ValueBins(distinct) : null,
    });
  }
  return states;
}

/** Result chunks between collections of the dropped ones (see native-memory.ts). */
const CHUNKS_PER_COLLECTION = 4;

/** The column names of a relation. */
async function columnNames(conn: DuckDBConnection, sql: string): Promise<Set<string>> {
  const described = await conn.runAndReadAll(`DESCRIBE ${sql}`);
  return new Set((described.getRowsJS() as unknown[][]).map((r) => String(r[0])));
}

/**
 * Step 2: streams `names` of the `scans` (one relation read in parts, see `inferenceLogScans`)
 * once, handing each value to its column's sinks; a column a part lacks reads as missing there.
 */
async function streamInto(
  conn: DuckDBConnection,
  scans: readonly string[],
  names: string[],
  sinks: Array<Array<{ addAll(values: Float64Array, n: number): void }>>,
  total: number,
  onProgress?: (rowsRead: number, rowsTotal: number) => void,
): Promise<void> {
  if (names.length === 0) return;
  const progress = { read: 0, reported: 0, chunks: 0 };
  for (const sql of scans) {
    const present = scans.length > 1 ? await columnNames(conn, sql) : undefined;
    // NULL as NaN: every item of the vectors is a value, read straight from DuckDB's memory.
    const select = names
      .map((c, i) =>
        present && !present.has(c)
          ? `'NaN'::DOUBLE AS c${i}`
          : `coalesce(TRY_CAST(${sqlIdent(c)} AS DOUBLE), 'NaN'::DOUBLE) AS c${i}`,
      )
      .join(', ');
    await streamScan(
      conn,
      `SELECT ${select} FROM (${sql})`,
      names.length,
      sinks,
      total,
      progress,
      onProgress,
    );
  }
}

/** One scan of streamInto: its chunks binned as they come, progress carried across scans. */
async function streamScan(
  conn: DuckDBConnection,
  sql: string,
  width: number,
  sinks: Array<Array<{ addAll(values: Float64Array, n: number): void }>>,
  total: number,
  progress: { read: number; reported: number; chunks: number },
  onProgress?: (rowsRead: number, rowsTotal: number) => void,
): Promise<void> {
  const result = await conn.stream(sql);
  // The next chunk is fetched (DuckDB decoding, off the event loop) while this one is binned.
  let next = result.fetchChunk();
  for (;;) {
    const chunk = await next;
    if (!chunk || chunk.rowCount === 0) break;
    next = result.fetchChunk();
    const n = chunk.rowCount;
    for (let c = 0; c < width; c++) {
      const values = doubles(chunk.getColumnVector(c), n);
      for (const sink of sinks[c]!) sink.addAll(values, n);
    }
    progress.read += n;
    if (++progress.chunks % CHUNKS_PER_COLLECTION === 0) releaseDroppedChunks();
    if (progress.read - progress.reported >= 1_000_000 || progress.read === total) {
      progress.reported = progress.read;
      onProgress?.(progress.read, total);
    }
  }
}

/**
 * The values of a DOUBLE vector as a Float64Array: DuckDB's own buffer when the client exposes
 * it (no copy, no per-item call), else copied item by item (NULL → NaN).
 */
function doubles(vector: DuckDBVector, n: number): Float64Array {
  const items = (vector as unknown as { items?: unknown }).items;
  if (items instanceof Float64Array && items.length >= n) return items;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (vector.getItem(i) as number | null) ?? Number.NaN;
  return out;
}

/** Exact rows per value of one column (GROUP BY in DuckDB): numeric values ascending, nulls apart. */
async function valueCounts(
  conn: DuckDBConnection,
  sql: string,
  column: string,
  kind: ColumnKind,
): Promise<CategoricalSample> {
  const v = kind === 'numeric' ? finite(column) : `CAST(${sqlIdent(column)} AS VARCHAR)`;
  const rows = (
    await conn.runAndReadAll(`SELECT ${v} AS v, count(*) AS n FROM (${sql}) GROUP BY v ORDER BY v NULLS LAST`)
  ).getRowsJS();
  const counts = new Map<string | number, number>();
  let size = 0;
  let nulls = 0;
  for (const [value, n] of rows) {
    if (value === null) nulls += Number(n);
    else {
      counts.set(kind === 'numeric' ? Number(value) : String(value), Number(n));
      size += Number(n);
    }
  }
  return { kind: 'categorical', counts, size, nulls };
}

/** A column tested exactly on value counts (categorical, or numeric with few values). */
async function countedRow(
  conn: DuckDBConnection,
  refSql: string,
  curSql: string,
  column: BinnedColumn,
  numeric?: NumericState,
): Promise<ColumnDriftRow> {
  const ref = await valueCounts(conn, refSql, column.refName, column.kind);
  const cur = await valueCounts(conn, curSql, column.name, column.kind);
  if (numeric && new Set([...ref.counts.keys(), ...cur.counts.keys()]).size > FEW_VALUES_MAX)
    return numericRow(numeric);
  const verdict = detectSampleDrift(column.name, column.kind, ref, cur);
  return driftRow(verdict, column.refName, 'exact', {
    histogram: numeric ? histogramOfBins(numeric.ref, numeric.cur) : null,
    categories: column.kind === 'categorical' ? categoryHistogramOfCounts(ref.counts, cur.counts) : null,
  });
}

/** The verdict of a numeric column with many values: exact KS, or normed Wasserstein with bounds. */
function numericRow(s: NumericState): ColumnDriftRow {
  const referenceRows = s.refRows;
  const currentRows = s.cur.rows;
  const { test, threshold } = resolveTest(s.column.name, 'numeric', undefined, () =>
    referenceRows <= SMALL_REFERENCE_MAX_ROWS ? 'ks' : 'wasserstein',
  );
  const def = DRIFT_TESTS[test];
  const base = {
    column: s.column.name,
    kind: 'numeric' as const,
    test,
    scoreKind: def.scoreKind,
    threshold,
    referenceRows,
    currentRows,
    referenceNulls: s.ref.nulls,
    currentNulls: s.cur.nulls,
  };
  const histogram = { histogram: histogramOfBins(s.ref, s.cur), categories: null };
  const empty = emptySideReason(referenceRows, currentRows);
  if (empty) {
    const v = { ...base, score: null, pValue: null, statistic: null, drifted: false, reason: empty };
    return driftRow({ ...v, status: 'insufficient_data' }, s.column.refName, 'exact', histogram);
  }
  if (test === 'ks') {
    const d = ksStatisticOfValueBins(s.refValues!, s.curAtValues!);
    const r = ksPValue(d, referenceRows, currentRows);
    const v = {
      ...base,
      score: r.pValue,
      pValue: r.pValue,
      statistic: r.statistic,
      status: 'tested' as const,
    };
    return driftRow(
      { ...v, drifted: isDrifted('p_value', r.pValue, threshold) },
      s.column.refName,
      'exact',
      histogram,
    );
  }
  const w = normedWassersteinOfBins(s.ref, s.cur, s.std, WASSERSTEIN_MIN_NORM);
  const v: DriftVerdict = {
    ...base,
    score: w.score,
    pValue: null,
    statistic: w.score,
    status: 'tested',
    drifted: isDrifted('distance', w.score, threshold),
  };
  if (w.bounds[0] < threshold && w.bounds[1] >= threshold)
    v.reason = `the exact score lies in [${w.bounds[0].toPrecision(4)}, ${w.bounds[1].toPrecision(4)}], which holds the threshold: the verdict is the binned estimate's`;
  return driftRow(v, s.column.refName, 'binned', histogram, w.bounds);
}

/**
 * Tests `columns` between the relations `refSql` and `curSql` (SELECTs on `conn`) reading every
 * row, in memory independent of the row counts.
 *
 * @example
 * const { rows } = await binnedColumnDrift(conn, refSql, log.sql,
 *   [{ name: 'in_amount', refName: 'amount', kind: 'numeric' }]);
 * rows.get('in_amount'); // { test: 'wasserstein', method: 'binned', score: 0.23, bounds: [0.229, 0.231], … }
 */
export async function binnedColumnDrift(
  conn: DuckDBConnection,
  refSql: string,
  curSql: string,
  columns: readonly BinnedColumn[],
  options: {
    bins?: number;
    onProgress?: BinnedProgress;
    currentRows?: number;
    /** The current side in parts for its streamed pass (default: `curSql` in one). */
    currentScans?: readonly string[];
  } = {},
): Promise<BinnedColumnsResult> {
  const bins = options.bins ?? DEFAULT_BINS;
  const referenceRows = await countRows(conn, refSql);
  const currentRows = options.currentRows ?? (await countRows(conn, curSql));
  const numeric = await referenceStats(
    conn,
    refSql,
    columns.filter((c) => c.kind === 'numeric'),
    bins,
  );
  const wide = numeric.filter((s) => s.refValues === null && s.refRows > 0);
  for (const s of numeric) if (s.refValues) s.ref.addAll(s.refValues, s.refValues.length);
  for (const s of numeric) s.ref.nulls = referenceRows - s.refRows;
  await streamInto(
    conn,
    [refSql],
    wide.map((s) => s.column.refName),
    wide.map((s) => [s.ref]),
    referenceRows,
    (n, t) => options.onProgress?.('reference', n, t),
  );
  for (const s of wide) s.ref.nulls = referenceRows - s.ref.rows;
  await streamInto(
    conn,
    options.currentScans ?? [curSql],
    numeric.map((s) => s.column.name),
    numeric.map((s) => (s.curAtValues ? [s.cur, s.curAtValues] : [s.cur])),
    currentRows,
    (n, t) => options.onProgress?.('current', n, t),
  );
  const rows = new Map<string, ColumnDriftRow>();
  for (const s of numeric) {
    // More than FEW_VALUES_MAX occupied bins proves more distinct values; otherwise count them.
    const refDistinct = s.refValues ? s.curAtValues!.values.length : s.ref.occupied();
    const manyValues = refDistinct > FEW_VALUES_MAX || s.cur.occupied() > FEW_VALUES_MAX;
    rows.set(
      s.column.name,
      manyValues || s.refRows === 0 || s.cur.rows === 0
        ? numericRow(s)
        : await countedRow(conn, refSql, curSql, s.column, s),
    );
  }
  for (const c of columns)
    if (c.kind === 'categorical') rows.set(c.name, await countedRow(conn, refSql, curSql, c));
  return { rows, referenceRows, currentRows };
}
